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
