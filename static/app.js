// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The registration page shows times in the visitor's zone: ask the browser for it once.
  var zoneForm = document.getElementById("zone-form");
  if (zoneForm && zoneForm.getAttribute("data-zone-known") === "no") {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      var url = new URL(window.location.href);
      url.searchParams.set("tz", zone);
      window.location.replace(url.toString());
    }
  }
  // Ask before destructive actions (cancel, remove).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // Tables with a search box filter their rows as you type.
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  });
})();
