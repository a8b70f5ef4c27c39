// Oversight's own script: no inline script anywhere (the pages' CSP allows none).
(function () {
  "use strict";

  // Every htmx request carries the visitor's form token, read from the layout's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  // Buttons marked data-print print the page (printable lists, the intake answer).
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      window.print();
    }
  });
})();
