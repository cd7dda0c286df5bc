// Quiz attempt page: save answers as the trainee goes, count down a time limit, and never submit twice.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var summary = document.getElementById("error-summary");
  var submitting = false;
  var saveTimer = null;
  // Read the attribute: form.action would return the buttons named "action".
  var saveUrl = form.getAttribute("action");

  if (summary) summary.focus();

  function say(text) {
    if (status) status.textContent = text;
  }

  form.addEventListener("submit", function (event) {
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
    clearTimeout(saveTimer);
    // Disable after the browser has read the pressed button's name and value.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  function autosave() {
    if (submitting) return;
    var data = new FormData(form);
    data.set("action", "save");
    fetch(saveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Quiz-Autosave": "1" },
    })
      .then(function (response) {
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
      .catch(function () {
        say("We couldn't reach the server to save. Your answers are still on this page; try again shortly.");
      });
  }

  form.addEventListener("change", function () {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 400);
  });

  var clock = document.getElementById("quiz-timer");
  if (!clock) return;
  var deadline = Date.parse(clock.dataset.deadline);
  var remaining = clock.querySelector("[data-remaining]");
  var warned = false;

  function submitForGrading() {
    if (submitting) return;
    submitting = true;
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "submit";
    form.appendChild(action);
    say("Time is up. Submitting your answers now.");
    form.submit();
  }

  function tick() {
    var left = deadline - Date.now();
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
