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

  // A region marked data-keep-checked (the inbox) is refreshed by polling: the boxes the
  // person ticked stay ticked across the refresh.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-keep-checked")) {
      target._checked = Array.prototype.map.call(
        target.querySelectorAll("input[type=checkbox]:checked"),
        function (box) { return box.value; }
      );
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target._checked) {
      target.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        box.checked = target._checked.indexOf(box.value) !== -1;
      });
      target._checked = null;
    }
  });

  // A select marked data-fills (the result form's 答复模板) writes the chosen option's
  // data-text into the field it names; without a script, its 使用模板 button does the same
  // on the server.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-fills")) {
      return;
    }
    var field = document.getElementById(select.getAttribute("data-fills"));
    var chosen = select.options[select.selectedIndex];
    if (field && chosen && chosen.hasAttribute("data-text")) {
      field.value = chosen.getAttribute("data-text");
      field.dispatchEvent(new Event("input", { bubbles: true }));
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
