// Counter kiosk: back to a blank form after a minute without a touch, and a
// full-screen button. Without JavaScript a <noscript> meta refresh does the reset.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10) || 60;
  var form = document.querySelector("form.kiosk-form");
  var timer = null;

  function reset() {
    // replace(): the previous citizen's page must not be reachable with "back".
    window.location.replace(home);
  }
  function touched() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(reset, idle * 1000);
  }
  if (form && home) {
    ["pointerdown", "keydown", "input", "change", "scroll"].forEach(function (name) {
      document.addEventListener(name, touched, { passive: true });
    });
    touched();
    // A page restored from the back-forward cache would show the last citizen's answers.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) reset();
    });
  }

  var button = document.querySelector(".kiosk-fullscreen");
  if (button && document.fullscreenEnabled) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
  }
})();
