// A calendar next to every date box of the officers' pages (`core.forms.DateInput`,
// `input[data-date-input][data-picker]`). The box stays a plain dd/mm/yyyy text field
// that works without this file; the calendar only fills it. The library
// (vanillajs-datepicker, static/vendor/) is fetched the first time a page has a date
// box, so pages without one load nothing more. Its URLs and the button's words come
// from this script's data-* attributes (hashed file names in production, translated
// texts from the template).
//
// The picker is inline, in a popup opened by a button, rather than bound to the text
// box: bound, the library rewrites the box on blur and erases a date it cannot parse
// (an ISO date, 31/02/2026), where the server should say what is wrong instead.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var urls = {
    js: script.dataset.js,
    css: script.dataset.css,
    vi: script.dataset.localeVi
  };
  var texts = { open: script.dataset.labelOpen || "", dialog: script.dataset.labelDialog || "" };
  var loading = null;
  var counter = 0;

  function load() {
    if (window.Datepicker && window.Datepicker.locales.vi) return Promise.resolve();
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = urls.css;
      document.head.appendChild(link);
      var add = function (src, then) {
        var tag = document.createElement("script");
        tag.src = src;
        tag.onload = then;
        tag.onerror = reject;
        document.head.appendChild(tag);
      };
      add(urls.js, function () { add(urls.vi, resolve); });
    });
    // A failed fetch (offline) leaves the text box as it is; the next click tries again.
    loading.catch(function () { loading = null; });
    return loading;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // dd/mm/yyyy (or d/m/yyyy, dd-mm-yyyy) first, then ISO yyyy-mm-dd, as the server reads them.
  function parse(text) {
    var value = (text || "").trim();
    var m = /^(\d{1,2})[\/\-](\d{1,2})[\/\-](\d{4})$/.exec(value);
    var day, month, year;
    if (m) {
      day = +m[1]; month = +m[2]; year = +m[3];
    } else {
      m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
      if (!m) return null;
      year = +m[1]; month = +m[2]; day = +m[3];
    }
    var date = new Date(year, month - 1, day);
    if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
      return null;
    }
    return date;
  }

  function format(date) {
    return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear();
  }

  function language() {
    return (document.documentElement.lang || "vi").slice(0, 2) === "en" ? "en" : "vi";
  }

  function enhance(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    counter += 1;
    var id = "date-picker-" + counter;
    var wrap = document.createElement("span");
    wrap.className = "date-field";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-picker-toggle";
    button.setAttribute("aria-label", texts.open);
    button.setAttribute("title", texts.open);
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id);
    button.dataset.testid = "date-picker-toggle";
    wrap.appendChild(button);

    var popup = document.createElement("div");
    popup.id = id;
    popup.className = "date-picker-popup";
    popup.hidden = true;
    popup.setAttribute("role", "dialog");
    popup.setAttribute("aria-label", texts.dialog);
    wrap.appendChild(popup);

    var picker = null;
    var syncing = false;

    function close(refocus) {
      if (popup.hidden) return;
      popup.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (refocus) input.focus();
    }

    function open() {
      load().then(function () {
        if (!picker) {
          picker = new window.Datepicker(popup, {
            language: language(),
            weekStart: 1,
            format: "dd/mm/yyyy",
            todayHighlight: true,
            maxView: 3
          });
          popup.addEventListener("changeDate", function (event) {
            if (syncing) return;
            var date = event.detail.date;
            if (!date) return;
            input.value = format(date);
            input.dispatchEvent(new Event("input", { bubbles: true }));
            input.dispatchEvent(new Event("change", { bubbles: true }));
            close(true);
          });
        }
        // Show the box's date (if it is one), without rewriting what the user typed.
        syncing = true;
        var shown = parse(input.value);
        if (shown) {
          picker.setDate(shown);
        } else {
          picker.setDate({ clear: true });
          picker.setFocusedDate(new Date(), true);
        }
        syncing = false;
        popup.hidden = false;
        button.setAttribute("aria-expanded", "true");
      }, function () { /* not fetched: the text box still works */ });
    }

    button.addEventListener("click", function () {
      if (popup.hidden) open(); else close(true);
    });
    wrap.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !popup.hidden) {
        event.preventDefault();
        close(true);
      }
    });
    document.addEventListener("click", function (event) {
      // The path as dispatched: a calendar cell clicked may be re-rendered away by then.
      if (event.composedPath().indexOf(wrap) < 0) close(false);
    });
  }

  function enhanceAll(root) {
    var boxes = (root || document).querySelectorAll("input[data-date-input][data-picker]");
    boxes.forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  // Forms swapped in by htmx get their calendars too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
