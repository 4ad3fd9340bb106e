// After a failed save, move focus to the error summary so a screen reader reads every
// mistake at once and a keyboard user starts from the list of links to the fields.
// A static file (the CSP allows no inline script).
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
