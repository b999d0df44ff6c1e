/* Person registry pages: print button; keep ID numbers and phones out of URLs (no inline script: CSP). */
(function () {
  "use strict";
  var NUMBER = /^[\s\-]*\d[\d\s\-]{5,}[xX]?[\s]*$/;
  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-yf-print]");
    if (print) { event.preventDefault(); window.print(); }
  });
  // A number typed into the name search is sent through the exact (POST) search instead of the URL.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-yf-people-query]")) { return; }
    var q = form.querySelector("input[name='q']");
    var find = document.querySelector("form[data-yf-people-find]");
    if (!q || !find || !NUMBER.test(q.value)) { return; }
    event.preventDefault();
    find.querySelector("input[name='number']").value = q.value.trim();
    q.value = "";
    find.submit();
  }, true);
})();
