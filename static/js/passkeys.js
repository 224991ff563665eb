// Passkeys (congvu/accounts/passkeys.py) around django-otp-webauthn's scripts, which run
// the ceremonies and fire events on the page:
// - two-step page: once a passkey is added, the name typed beside the button is sent to
//   it (the form's action ends in /0/rename/, the new passkey's id goes in its place);
// - second sign-in step: once a passkey passed, the code form is posted with
//   method=passkey, so "remember this browser" counts exactly as with a code.
(function () {
  "use strict";

  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var form = document.getElementById("passkey-add-form");
    var id = event.detail && event.detail.id;
    if (!form || !id) return;
    form.action = form.action.replace(/\/0\/rename\/$/, "/" + encodeURIComponent(id) + "/rename/");
    form.submit();
  });

  // Enter in the name box starts adding the passkey (the form itself is only posted after).
  document.addEventListener("submit", function (event) {
    if (event.target && event.target.id === "passkey-add-form") {
      event.preventDefault();
      var button = document.getElementById("passkey-register-button");
      if (button && !button.disabled) button.click();
    }
  });

  document.addEventListener("otp_webauthn.verification_complete", function () {
    var form = document.getElementById("login-code-form");
    if (!form) return;
    form.elements.namedItem("method").value = "passkey";
    form.submit();
  });
})();
