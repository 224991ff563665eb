/* Starts Swagger UI from our own origin: the page has no inline script (CSP script-src 'self'). */
(function () {
  "use strict";
  var body = document.body;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  var csrfToken = body.dataset.csrfToken;
  if (csrfToken) {
    // Session-authenticated calls from "Try it out" need Django's CSRF token on unsafe methods.
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
