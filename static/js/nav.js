// Header menus are <details> elements and work without this file. With it, opening
// one menu closes the others, and a click outside or Escape closes them all.
(function () {
  "use strict";
  function menus() {
    return document.querySelectorAll(".main-nav details");
  }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open) return;
    if (!opened.closest(".main-nav")) return;
    menus().forEach(function (other) {
      if (other !== opened) other.open = false;
    });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".main-nav details")) return;
    menus().forEach(function (menu) { menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
})();

// A long filter form folds its less used fields into "Thêm bộ lọc" ({% morefilters %}),
// closed unless one of them is in use, so that a phone shows the list first. A wide
// screen has room for them: there they are open from the start, as they were before.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 60rem)").matches) return;
  document.querySelectorAll("details.more-filters").forEach(function (fold) {
    fold.open = true;
  });
})();
