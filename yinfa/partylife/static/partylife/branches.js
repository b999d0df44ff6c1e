/* The add-member and transfer forms: show only the inputs that belong to the chosen origin or way out. */
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector("input[name='origin']:checked, input[name='how']:checked");
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-yf-show-for]").forEach(function (el) {
      var wanted = el.getAttribute("data-yf-show-for").split(" ");
      el.hidden = wanted.indexOf(value) === -1;
    });
    var standing = form.querySelector("select[name='standing']");
    form.querySelectorAll("[data-yf-probation]").forEach(function (el) {
      el.hidden = !standing || standing.value !== "probationary";
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-yf-dependent]");
    if (form) { sync(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-yf-dependent]").forEach(sync);
  });
})();
