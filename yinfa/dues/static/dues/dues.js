/* Party dues pages: tick all / none on the batch screen, print the statement. No inline script (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var tick = event.target.closest("[data-dues-tick]");
    if (tick) {
      var form = tick.closest("form");
      var checked = tick.getAttribute("data-dues-tick") === "all";
      form.querySelectorAll('input[type="checkbox"][name^="pay_"]').forEach(function (box) { box.checked = checked; });
      return;
    }
    if (event.target.closest("[data-dues-print]")) {
      window.print();
    }
  });
})();
