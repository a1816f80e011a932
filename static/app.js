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
  // Large uploads (an invitee list of 100,000) show how far the sending is, then wait
  // for the server's page; without this the form posts as usual.
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    var bar = document.getElementById(form.getAttribute("data-progress"));
    if (!bar || !window.FormData || !window.XMLHttpRequest) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
      });
      // Sent: the server is storing it; an indeterminate bar until its page comes.
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
      });
      xhr.addEventListener("load", function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        form.submit();
      });
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      xhr.send(new FormData(form));
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
