/* Django's admin, for WCAG 2.1 AA. The filter_horizontal widget (SelectFilter2.js) draws a
   search icon as a <span> with aria-label and no role, which ARIA prohibits
   (axe: aria-prohibited-attr). The widget is built by script, after page load, so watch for it. */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
    new MutationObserver(function () { fix(document); }).observe(document.body, {childList: true, subtree: true});
  });
})();
