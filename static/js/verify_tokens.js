// API tokens page: take keyboard and screen-reader users straight to the new token, and offer a "Copy token"
// button (the field can always be selected and copied by hand).
(function () {
  "use strict";
  var section = document.getElementById("new-token");
  if (section) section.focus();
  var button = document.getElementById("copy-token");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  var status = document.getElementById("copy-token-status");
  if (!field) return;

  field.addEventListener("focus", function () {
    field.select();
  });

  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () {
        status.textContent = "Copied.";
      },
      function () {
        field.focus();
        status.textContent = "Couldn't copy it for you: the token is selected, so press Ctrl+C (or ⌘C) to copy it.";
      }
    );
  });
})();
