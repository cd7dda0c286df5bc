// Bulk check page: poll the job's status, move the progress bar, and show the results once every row is checked.
// Without JavaScript the page refreshes itself (a meta refresh inside <noscript>) and has a Refresh link.
(function () {
  "use strict";
  var box = document.getElementById("bulk-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("bulk-progress-bar");
  var figures = document.getElementById("bulk-progress-figures");
  var announce = document.getElementById("bulk-progress-announce");
  var delay = 1500;
  var lastTenth = -1; // announce progress to screen readers in steps of 10%, not on every poll

  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.textContent = status.percent + "%";
    figures.textContent = status.done + " of " + status.total;
    var queued = document.getElementById("bulk-queued-note");
    if (queued && status.state !== "queued") queued.hidden = true;
    var paused = document.getElementById("bulk-paused-note");
    var pausedUntil = document.getElementById("bulk-paused-until");
    if (paused && pausedUntil) {
      paused.hidden = !status.paused_until;
      if (status.paused_until) {
        pausedUntil.setAttribute("datetime", status.paused_until);
        pausedUntil.textContent = status.paused_until_label;
      }
    }
    var tenth = Math.floor(status.percent / 10);
    if (tenth !== lastTenth && announce) {
      lastTenth = tenth;
      announce.textContent = status.percent + "% checked";
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 404) return null; // deleted, perhaps in another tab: the reload says so
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        if (!status) {
          window.location.reload();
          return;
        }
        show(status);
        if (status.finished) {
          window.location.reload();
          return;
        }
        delay = 1500;
        setTimeout(poll, delay);
      })
      .catch(function () {
        // A blip in the connection: keep trying, less often.
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
