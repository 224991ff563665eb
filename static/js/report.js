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
  // The same words as congvu.core.text.search_terms: punctuation around a word dropped.
  function searchWords(text) {
    return fold(text).split(" ").map(function (word) {
      return word.replace(/^\p{P}+|\p{P}+$/gu, "");
    }).filter(Boolean);
  }
  var box = document.getElementById("id_clause_q");
  var none = document.getElementById("no-clause-match");
  // As ClauseQuerySet.search (phrase first aside): every word in one copy the reader
  // reads; when no row has that, a query mixing the languages: each word in a copy the
  // reader reads it in (an English reader: either; a Vietnamese reader: the Vietnamese,
  // the English only for a word no row's Vietnamese holds).
  function filterClauses() {
    var words = searchWords(box.value);
    var english = document.documentElement.lang.indexOf("en") === 0;
    var rows = Array.prototype.slice.call(form.querySelectorAll(".choice[data-search]"));
    // The folded copies of a row, one a line: the Vietnamese, then the English.
    var copies = rows.map(function (row) { return row.getAttribute("data-search").split("\n"); });
    var hits = copies.map(function (both) {
      var read = english ? both : both.slice(0, 1);
      return read.some(function (text) {
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
    if (words.length && hits.indexOf(true) === -1) {
      var vietnamese = words.filter(function (w) {
        return copies.some(function (both) { return both[0].indexOf(w) !== -1; });
      });
      hits = copies.map(function (both) {
        return words.every(function (w) {
          var read = english ? both : (vietnamese.indexOf(w) !== -1 ? both.slice(0, 1) : both.slice(1));
          return read.some(function (text) { return text.indexOf(w) !== -1; });
        });
      });
    }
    var shown = 0;
    rows.forEach(function (row, index) {
      row.hidden = !(hits[index] || row.querySelector("input").checked);
    });
    form.querySelectorAll(".clause-group").forEach(function (group) {
      var visible = group.querySelectorAll(".choice[data-search]:not([hidden])").length;
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
