/* Assessment pages: the running total of the scores typed in (the server computes the real one); printing. */
(function () {
  "use strict";
  function refresh(form) {
    var out = form.querySelector("[data-yf-total-out]");
    if (!out) { return; }
    var total = 0;
    form.querySelectorAll("input.yf-score-input").forEach(function (input) {
      var value = input.value !== "" ? input.value : (input.getAttribute("data-yf-default") || "0");
      var number = parseFloat(value);
      if (!isNaN(number)) { total += number; }
    });
    out.textContent = total.toFixed(2);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-yf-print]")) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-yf-total]").forEach(function (form) {
      form.addEventListener("input", function () { refresh(form); });
      refresh(form);
    });
  });
})();
