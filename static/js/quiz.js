// Quiz attempt page: save answers as the trainee goes, count down a time limit, and never submit twice.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var summary = document.getElementById("error-summary");
  // Read the attribute: form.action would return the buttons named "action".
  var saveUrl = form.getAttribute("action");
  var submitting = false;
  var saveTimer = null;
  var saving = null; // the AbortController of the save in flight
  var saveAgain = false; // answers changed while a save was in flight

  if (summary) summary.focus();

  function say(text) {
    if (status) status.textContent = text;
  }

  function setButtons(disabled) {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = disabled;
    });
  }

  form.addEventListener("submit", function (event) {
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
    clearTimeout(saveTimer);
    if (saving) saving.abort();
    // Disable after the browser has read the pressed button's name and value.
    setTimeout(function () {
      setButtons(true);
    }, 0);
  });

  // A page restored from the back/forward cache starts afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false;
      setButtons(false);
    }
  });

  function autosave() {
    if (submitting) return;
    if (saving) {
      saveAgain = true;
      return;
    }
    var data = new FormData(form);
    data.set("action", "save");
    saving = new AbortController();
    fetch(saveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Quiz-Autosave": "1" },
      signal: saving.signal,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          return { ok: false, body: { error: "Your answers couldn't be saved: you may have been signed out. Use “Save and finish later” to check." } };
        }
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) {
          say("Answers saved at " + result.body.saved_at + ".");
        } else if (result.body.redirect) {
          window.location.assign(result.body.redirect);
        } else {
          say(result.body.error || "Your answers couldn't be saved. They are still on this page.");
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          say("We couldn't reach the server to save. Your answers are still on this page; try again shortly.");
        }
      })
      .finally(function () {
        saving = null;
        if (saveAgain) {
          saveAgain = false;
          autosave();
        }
      });
  }

  form.addEventListener("change", function () {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 400);
  });

  var clock = document.getElementById("quiz-timer");
  if (!clock) return;
  // Count down from the seconds the server gave, on the monotonic clock, so a wrong device clock doesn't matter.
  var endsAt = performance.now() + Number(clock.dataset.secondsLeft) * 1000;
  var remaining = clock.querySelector("[data-remaining]");
  var warned = false;

  function submitForGrading() {
    if (submitting) return;
    submitting = true;
    if (saving) saving.abort();
    [
      ["action", "submit"],
      ["timer", "expired"],
    ].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    say("Time is up. Submitting your answers now.");
    form.submit();
  }

  function tick() {
    var left = endsAt - performance.now();
    if (left <= 0) {
      remaining.textContent = "Time is up.";
      submitForGrading();
      return;
    }
    var minutes = Math.floor(left / 60000);
    var seconds = Math.floor((left % 60000) / 1000);
    remaining.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " left.";
    if (!warned && left < 5 * 60000) {
      warned = true;
      say("Five minutes left. Your answers so far are saved.");
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
