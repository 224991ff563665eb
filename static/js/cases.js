/* Case pages. On the case file, an action form that came back with errors is scrolled
   into view. (The dashboard's charts are drawn by the server, as SVG.) */
(function () {
  "use strict";

  var invalid = document.querySelector(".case-actions details[open] .errorlist");
  if (invalid && invalid.scrollIntoView) {
    invalid.closest("details").scrollIntoView({ block: "start" });
  }
})();

/* The case list: "select all on this page" also ticks each row's box (without JavaScript
   the server reads the same checkbox and takes every case shown). */
(function () {
  "use strict";
  var all = document.querySelector("[data-bulk-all]");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("#bulk-assign input[name='cases']").forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.querySelectorAll("#bulk-assign input[name='cases']").forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) { all.checked = false; }
    });
  });
})();

/* The case list on a phone: the status tabs are one row that scrolls sideways; the current
   tab is brought to the middle of it (without this file the row starts at "Tất cả"). */
(function () {
  "use strict";
  var tabs = document.querySelector(".status-tabs");
  if (!tabs || tabs.scrollWidth <= tabs.clientWidth) { return; }
  var current = tabs.querySelector("[aria-current='true']");
  if (!current) { return; }
  var box = tabs.getBoundingClientRect();
  var tab = current.getBoundingClientRect();
  tabs.scrollLeft += tab.left - box.left - (box.width - tab.width) / 2;
})();
