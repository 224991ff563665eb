// A form that comes back with errors: take the keyboard, and with it a screen reader, to the
// first field in error (its description reads the message), opening the <details> it sits
// in; when no field is marked, to the form's error summary. Without this file the messages
// are on the page as before. A field the page already focused (autofocus) is left alone.
(function () {
  "use strict";
  function start() {
    var active = document.activeElement;
    if (active && active !== document.body) return;
    var target = document.querySelector('form [aria-invalid="true"]');
    if (!target) {
      target = document.querySelector('form [role="alert"]');
      if (!target) return;
      target.setAttribute("tabindex", "-1");
    }
    for (var box = target.closest("details"); box; box = box.parentElement.closest("details")) {
      box.open = true;
    }
    target.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
