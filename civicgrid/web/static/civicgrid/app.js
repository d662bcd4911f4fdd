// Small behaviours that work under a strict CSP (no inline handlers).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("js-autosubmit") && el.form) {
    el.form.submit();
  }
});

// A part of the page that htmx could not update says so, instead of nothing happening.
["htmx:responseError", "htmx:sendError"].forEach(function (name) {
  document.addEventListener(name, function () {
    var notice = document.getElementById("htmx-failed");
    if (notice) { notice.hidden = false; }
  });
});
document.addEventListener("htmx:beforeRequest", function () {
  var notice = document.getElementById("htmx-failed");
  if (notice) { notice.hidden = true; }
});
