// A holder's certificate page: a "Copy link" button for the verification link. Without it (or without script),
// the link stays in its read-only field, which selects itself when focused so it can be copied by hand.
(function () {
  "use strict";
  var button = document.getElementById("copy-verify-link");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  var status = document.getElementById("copy-verify-link-status");
  if (!field || !status) return;

  field.addEventListener("focus", function () {
    field.select();
  });

  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "";
    navigator.clipboard.writeText(field.value).then(
      function () {
        status.textContent = "Link copied";
      },
      function () {
        field.focus();
        status.textContent = "Couldn't copy it for you: the link is selected, so press Ctrl+C (or ⌘C) to copy it.";
      }
    );
  });
})();
