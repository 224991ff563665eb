// A box above each long drop-down marked `data-filter` (the organisations: hundreds of
// them) that narrows its options as one types, without accents if one likes: "tu phap"
// keeps "Sở Tư pháp (H56.02)", "duc" keeps "Đức". The drop-down itself is untouched: the
// chosen option always stays, and the form sends what it always sent. Without this file
// the drop-down is a plain <select>. Texts come from this script's data-* attributes.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var MIN_OPTIONS = 12;
  var texts = {
    label: script.dataset.label || "",
    placeholder: script.dataset.placeholder || "",
    found: script.dataset.found || "{n}",
    none: script.dataset.none || ""
  };
  var counter = 0;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // The words as every search box reads them (congvu.core.text.search_words): the
  // punctuation around a word dropped, "(Tư pháp)," is "tu phap".
  function searchWords(text) {
    return fold(text).split(" ").map(function (word) {
      return word.replace(/^\p{P}+|\p{P}+$/gu, "");
    }).filter(Boolean);
  }

  function attach(select) {
    if (select.dataset.filterReady || select.options.length < MIN_OPTIONS) return;
    select.dataset.filterReady = "1";
    counter += 1;
    var id = "select-filter-" + counter;
    var wrap = document.createElement("div");
    wrap.className = "select-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = texts.label;
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.autocomplete = "off";
    box.placeholder = texts.placeholder;
    box.setAttribute("aria-controls", select.id || "");
    var status = document.createElement("p");
    status.className = "select-filter-status muted";
    status.setAttribute("role", "status");
    wrap.appendChild(label);
    wrap.appendChild(box);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select);
    var folded = Array.prototype.map.call(select.options, function (option) {
      return fold(option.textContent);
    });

    box.addEventListener("input", function () {
      var words = searchWords(box.value);
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option, index) {
        var keep = !option.value || option.selected || words.every(function (word) {
          return folded[index].indexOf(word) !== -1;
        });
        option.hidden = !keep;
        option.disabled = !keep && !option.selected;
        if (keep && option.value) shown += 1;
      });
      status.textContent = !words.length ? "" : shown
        ? texts.found.replace("{n}", String(shown)) : texts.none;
    });
    // Enter in the box must not send the form half filled in.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function attachAll(root) {
    root.querySelectorAll("select[data-filter]").forEach(attach);
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target.querySelectorAll) attachAll(event.target);
  });
  attachAll(document);
})();
