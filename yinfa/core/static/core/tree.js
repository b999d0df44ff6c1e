/* The organisation tree: expand and collapse nodes, loading each level once through htmx (no inline script). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-yf-tree-toggle]");
    if (!button) { return; }
    event.preventDefault();
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) { return; }
    var expanded = button.getAttribute("aria-expanded") === "true";
    if (!expanded && !button.hasAttribute("data-yf-loaded")) {
      button.setAttribute("data-yf-loaded", "");
      window.htmx.trigger(button, "yf-load");
    }
    list.hidden = expanded;
    button.setAttribute("aria-expanded", expanded ? "false" : "true");
  });
  // A failed load may be retried by the next click.
  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-yf-tree-toggle") && !event.detail.successful) {
      el.removeAttribute("data-yf-loaded");
      el.setAttribute("aria-expanded", "false");
      var list = document.getElementById(el.getAttribute("aria-controls"));
      if (list) { list.hidden = true; }
    }
  });
  // Enter in an organisation search box inside a form searches; it must not submit the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-yf-pick-search]")) {
      event.preventDefault();
      window.htmx.trigger(event.target, "search");
    }
  });
})();
