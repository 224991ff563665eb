// Progressive enhancement of the report form; the form works fully without it.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }

  // Same folding as congvu.core.text.fold: marks stripped, đ→d, lower case.
  function fold(text) {
    return (text || "").replace(/[đĐ]/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
  }

  // Live filter of the standards: the server-side search stays for no-JS browsers.
  var box = document.getElementById("id_clause_q");
  var none = document.getElementById("no-clause-match");
  function filterClauses() {
    var words = fold(box.value).split(" ").filter(Boolean);
    var shown = 0;
    form.querySelectorAll(".clause-group").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll(".choice[data-search]").forEach(function (row) {
        // The folded copies the reader searches, one a line (Vietnamese; English too for
        // an English reader): every word must occur in one copy, as on the server.
        var copies = row.getAttribute("data-search").split("\n");
        var checked = row.querySelector("input").checked;
        var hit = copies.some(function (text) {
          return words.every(function (w) { return text.indexOf(w) !== -1; });
        });
        row.hidden = !(hit || checked);
        if (!row.hidden) { visible += 1; }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    if (none) { none.hidden = shown !== 0; }
  }
  if (box) {
    box.addEventListener("input", filterClauses);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); filterClauses(); }
    });
  }

  // Show the name and contact fields only for a named report.
  var named = document.getElementById("named-fields");
  function syncIdentity() {
    var choice = form.querySelector("input[name=identity]:checked");
    if (named) { named.hidden = !choice || choice.value !== "named"; }
  }
  form.querySelectorAll("input[name=identity]").forEach(function (radio) {
    radio.addEventListener("change", syncIdentity);
  });
  syncIdentity();

  // Characters left in the description.
  var text = document.getElementById("id_description");
  var help = document.getElementById("description-help");
  if (text && help) {
    var limit = parseInt(help.getAttribute("data-limit"), 10);
    var counter = document.createElement("span");
    counter.className = "helptext";
    counter.setAttribute("aria-live", "polite");
    help.appendChild(document.createTextNode(" "));
    help.appendChild(counter);
    var update = function () {
      var left = limit - text.value.length;
      counter.textContent = (document.documentElement.lang === "en" ? "Characters left: " : "Còn lại: ") + left;
    };
    text.addEventListener("input", update);
    update();
  }
})();
