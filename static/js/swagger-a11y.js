/* Swagger UI (the API's documentation page), for WCAG 2.1 AA. Swagger UI draws a parameter's
   value as a <select> or <input> with no label (axe: select-name, label): name it after the
   parameter. Its code blocks (the curl command, the response) scroll sideways on a phone but
   cannot be reached by keyboard (axe: scrollable-region-focusable): make them focusable, named
   regions. Swagger UI renders with React after page load and on every click, so watch for it. */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll(".parameters tr[data-param-name]").forEach(function (row) {
      var name = row.getAttribute("data-param-name");
      var where = row.getAttribute("data-param-in");
      row.querySelectorAll("select, input, textarea").forEach(function (control) {
        if (!control.hasAttribute("aria-label") && !control.labels.length) {
          control.setAttribute("aria-label", where ? name + " (" + where + ")" : name);
        }
      });
    });
  }
  function focusableCode(root) {
    root.querySelectorAll(".swagger-ui pre:not([tabindex])").forEach(function (block) {
      var holder = block.closest(".curl-command, .response-col_description, .highlight-code, .model-example");
      var heading = holder && holder.querySelector("h4, h5");
      block.setAttribute("tabindex", "0");
      block.setAttribute("role", "region");
      block.setAttribute("aria-label", heading ? heading.textContent.trim() : "Code");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
    focusableCode(document);
    new MutationObserver(function () { fix(document); focusableCode(document); }).observe(document.body, {childList: true, subtree: true});
  });
})();
