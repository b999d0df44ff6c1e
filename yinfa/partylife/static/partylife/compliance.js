/* Compliance pages: the print button (no inline script under the CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-yf-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
