// When a form comes back with errors, move focus to the summary so screen-reader and keyboard users hear it first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});
