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
//
// The keyboard works as in the library's dropdown mode, but here, so the box is never
// rewritten behind the user's back: from the box or the button, Alt+Down (or Down)
// opens the calendar and the focus stays where it was; the arrows move the day
// (Ctrl+arrows or Page Up/Down a month, Shift+Page Up/Down a year), Enter writes the
// day into the box, Escape or Tab closes without changing anything, and typing closes
// the calendar and goes on in the box. A status line reads out the day reached.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var urls = {
    js: script.dataset.js,
    css: script.dataset.css,
    vi: script.dataset.localeVi
  };
  var texts = {
    open: script.dataset.labelOpen || "",
    dialog: script.dataset.labelDialog || "",
    keys: script.dataset.labelKeys || ""
  };
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

  function addDays(date, days) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
  }

  // A month later or earlier, on the same day or the month's last (31/01 → 28/02).
  function addMonths(date, months) {
    var first = new Date(date.getFullYear(), date.getMonth() + months, 1);
    var last = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
    return new Date(first.getFullYear(), first.getMonth(), Math.min(date.getDate(), last));
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

    // How to use the calendar from the keyboard, read after the box's label and help
    // text (Django's `aria-describedby`, kept), and the day reached, read as it moves.
    var hint = document.createElement("span");
    hint.id = id + "-keys";
    hint.className = "visually-hidden";
    // The box's format hint (its title) first: a description replaces the title as one.
    hint.textContent = (input.title ? input.title + ". " : "") + texts.keys;
    wrap.appendChild(hint);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
    input.setAttribute("aria-keyshortcuts", "Alt+ArrowDown");
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.appendChild(status);

    var picker = null;
    var syncing = false;

    function close(refocus) {
      if (popup.hidden) return;
      popup.hidden = true;
      button.setAttribute("aria-expanded", "false");
      status.textContent = "";
      if (refocus) input.focus();
    }

    function announce() {
      var date = picker.getFocusedDate();
      var days = window.Datepicker.locales[language()].days;
      status.textContent = days[date.getDay()] + ", " + format(date);
    }

    function fill(date) {
      input.value = format(date);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
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
            fill(date);
            close(true);
          });
          // The library sends no changeDate for the day already chosen: a click on it
          // still means "this day" (and writes it as dd/mm/yyyy if the box held ISO).
          popup.addEventListener("click", function (event) {
            if (popup.hidden || picker.picker.currentView.id !== 0) return;
            var cell = event.target.closest(".datepicker-cell.day.selected");
            if (!cell || !cell.dataset.date) return;
            fill(new Date(+cell.dataset.date));
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
        announce();
      }, function () { /* not fetched: the text box still works */ });
    }

    // The day view moves by days and weeks; the month, year and decade views (reached
    // through the title) by their own cells, four to a row, as the library lays them out.
    function move(event) {
      var key = event.key;
      var view = picker.picker.currentView.id;
      var date = picker.getFocusedDate();
      var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 };
      if (key === "PageUp" || key === "PageDown") {
        var sign = key === "PageUp" ? -1 : 1;
        return addMonths(date, sign * (event.shiftKey ? 12 : 1));
      }
      if (!(key in steps)) return null;
      var step = steps[key];
      var vertical = key === "ArrowUp" || key === "ArrowDown";
      if (event.ctrlKey || event.metaKey) {
        return vertical ? null : addMonths(date, step);
      }
      if (view === 0) return addDays(date, vertical ? 7 * step : step);
      var cells = vertical ? 4 * step : step;
      if (view === 1) return addMonths(date, cells);
      return addMonths(date, 12 * cells * (view === 2 ? 1 : 10));
    }

    function onOpenKey(event) {
      var key = event.key;
      if (key === "Escape" || key === "Tab") {
        if (key === "Escape") event.preventDefault();
        close(key === "Escape");
        return;
      }
      if (key === "Enter") {
        event.preventDefault();  // not the form's submission, not the button's click
        var view = picker.picker.currentView;
        if (view.id > 0) {
          picker.picker.changeView(view.id - 1).render();
          announce();
          return;
        }
        var date = picker.getFocusedDate();
        syncing = true;
        picker.setDate(date);
        syncing = false;
        fill(date);
        close(true);
        return;
      }
      var next = move(event);
      if (next) {
        event.preventDefault();
        picker.setFocusedDate(next);
        announce();
        return;
      }
      // A character, Backspace or Delete: the user types in the box again (Space on
      // the button is the button's own: it closes the calendar).
      if (key === " " && event.target !== input) return;
      if (key === "Backspace" || key === "Delete" || (key.length === 1 && !event.ctrlKey)) {
        close(false);
        if (document.activeElement !== input) input.focus();
      }
    }

    button.addEventListener("click", function () {
      if (popup.hidden) open(); else close(true);
    });
    wrap.addEventListener("keydown", function (event) {
      if (event.isComposing) return;  // a Vietnamese input method is building a letter
      if (popup.hidden || !picker) {
        var opens = event.key === "ArrowDown" && !event.ctrlKey && !event.metaKey;
        if (opens && (event.target === input || event.target === button)) {
          event.preventDefault();
          open();
        }
        return;
      }
      onOpenKey(event);
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
