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

// The header's "Menu" on a phone (<details class="site-menu">, closed at load). A wider
// screen shows its contents in the header's row: opened here for browsers without
// ::details-content, and closed again when the window narrows to a phone's. On a phone a
// tap outside the open panel, or Escape, closes it.
(function () {
  "use strict";
  var menu = document.querySelector("details.site-menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 40.01rem)");
  function fit() { menu.open = wide.matches; }
  fit();
  if (wide.addEventListener) wide.addEventListener("change", fit);
  document.addEventListener("click", function (event) {
    if (wide.matches || !menu.open) return;
    if (event.target.closest && event.target.closest("details.site-menu")) return;
    menu.open = false;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || wide.matches || !menu.open) return;
    if (document.querySelector(".main-nav details[open]")) return;  // that menu first
    menu.open = false;
    menu.querySelector("summary").focus();
  }, true);  // before the menus' own Escape, which would have closed an open one already
})();
