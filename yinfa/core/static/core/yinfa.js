/* Small behaviours for the shell; no inline script anywhere (CSP). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-yf-autosubmit]") && el.form) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-yf-toggle='sidebar']");
    if (toggle) { document.getElementById("yf-sidebar").classList.toggle("show"); return; }
    var confirmEl = event.target.closest("a[data-yf-confirm], button[data-yf-confirm], input[data-yf-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-yf-confirm"))) {
      event.preventDefault(); event.stopPropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-yf-confirm]") && !window.confirm(form.getAttribute("data-yf-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
