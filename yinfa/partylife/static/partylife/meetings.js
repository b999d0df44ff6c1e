// Meetings of organisational life: the attendance screen (details per status, "all present"), the party
// group field shown only for a party group meeting, and print buttons. No inline script (CSP).
(function () {
  "use strict";

  function rowStatus(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    row.setAttribute("data-status", checked ? checked.value : "");
  }

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.matches && radio.matches("tr[data-yf-att-row] input[type=radio]")) {
      rowStatus(radio.closest("tr"));
    }
    if (radio.matches && radio.matches("[data-yf-meeting-kind]")) {
      showGroupField(radio);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-yf-all-present]");
    if (button) {
      document.querySelectorAll("tr[data-yf-att-row]").forEach(function (row) {
        var present = row.querySelector("input[type=radio][value=present]");
        if (present && !present.disabled) {
          present.checked = true;
          rowStatus(row);
        }
      });
    }
    if (event.target.closest("[data-yf-print]")) {
      window.print();
    }
  });

  function showGroupField(select) {
    var row = document.querySelector(".yf-group-row");
    if (row) {
      row.hidden = select.value !== "group";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.querySelector("[data-yf-meeting-kind]");
    if (kind) {
      showGroupField(kind);
    }
  });
})();
