/* Care pages: the print button. No inline script (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-yf-print]")) {
      window.print();
    }
  });
})();
