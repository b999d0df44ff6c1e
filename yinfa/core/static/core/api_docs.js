/* The API reference page: Redoc from the app's own static files (no CDN, no inline script; CSP).
   Redoc injects its styles in <style> elements; the page passes the CSP nonce that allows them. */
(function () {
  "use strict";
  var container = document.getElementById("yf-redoc");
  if (!container || !window.Redoc) { return; }
  var fonts = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif';
  window.Redoc.init(container.getAttribute("data-schema-url"), {
    nonce: container.getAttribute("data-style-nonce"),
    scrollYOffset: ".yf-topbar",
    hideDownloadButton: true,
    expandResponses: "200",
    theme: {
      colors: { primary: { main: "#b71c1c" } },
      typography: { fontFamily: fonts, headings: { fontFamily: fonts }, code: { fontFamily: "Consolas, monospace" } },
      sidebar: { width: "240px" },
      rightPanel: { width: "40%" }
    }
  }, container);
})();
