// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The registration page shows times in the visitor's zone: ask the browser for it once.
  var zoneForm = document.getElementById("zone-form");
  // Only when the address names no zone yet, so an unknown zone can never loop.
  var here = new URL(window.location.href);
  if (zoneForm && zoneForm.getAttribute("data-zone-known") === "no" && !here.searchParams.has("tz")) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      here.searchParams.set("tz", zone);
      window.location.replace(here.toString());
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
