/* Account forms: the typed-password fields show only when "type a temporary password" is chosen. */
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector("input[name='password_mode']:checked");
    var typed = form.querySelector(".yf-typed-password");
    if (typed) { typed.hidden = !chosen || chosen.value !== "type"; }
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("input[name='password_mode']")) { sync(form); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.name === "password_mode" && event.target.form) { sync(event.target.form); }
  });
})();
