// A wide table's scroll box ({% scrolltable %}) is rendered as a tab stop, so that a
// keyboard can scroll it (WCAG 2.1.1). Where the table fits, that stop scrolls nothing
// and only lengthens the way through the page: this takes it away, and gives it back
// when the window narrows (or new rows arrive) and the table no longer fits. Without
// this file every box keeps its stop, which is the safe side.
(function () {
  "use strict";
  var SELECTOR = ".table-scroll[role=region]";

  function update(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
    } else if (box !== document.activeElement) {
      box.removeAttribute("tabindex");
    }
  }

  var observer = "ResizeObserver" in window
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          update(entry.target.closest(SELECTOR) || entry.target);
        });
      })
    : null;

  function watch(root) {
    root.querySelectorAll(SELECTOR).forEach(function (box) {
      update(box);
      if (observer) {
        observer.observe(box);
        var table = box.querySelector("table");
        if (table) observer.observe(table);
      }
    });
  }

  if (!observer) {
    window.addEventListener("resize", function () { watch(document); });
  }
  // Content that htmx swaps in (a filtered list, another page of rows).
  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (root.matches && root.matches(SELECTOR)) update(root);
    if (root.querySelectorAll) watch(root);
  });
  watch(document);
})();
