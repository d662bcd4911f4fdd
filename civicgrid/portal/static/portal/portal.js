// The resident portal's small behaviours; each works under the strict CSP and degrades without script.
(function () {
  "use strict";

  // "Use my location": fill the hidden lon/lat inputs from the phone; the server finds the grid.
  function setupLocate() {
    var box = document.getElementById("locate");
    if (!box || !("geolocation" in navigator)) return;
    box.classList.remove("hidden");
    var status = box.querySelector(".locate-status");
    var form = box.closest("form");
    box.querySelector(".js-locate").addEventListener("click", function () {
      status.textContent = box.dataset.finding;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          form.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
          form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
          status.textContent = box.dataset.found;
          box.classList.add("located");
        },
        function () {
          status.textContent = box.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // Anonymous: no name or phone, so the fields for them fold away.
  function setupAnonymous() {
    var box = document.querySelector("input[name=anonymous]");
    var who = document.querySelector(".who");
    if (!box || !who) return;
    var sync = function () {
      who.classList.toggle("hidden", box.checked);
    };
    box.addEventListener("change", sync);
    sync();
  }

  // A second tap while the first is on its way is dropped here; the server's idempotency key makes
  // sure that one that slips through (a retry on a flaky network) still gives one case.
  function setupOnce() {
    document.querySelectorAll("form.js-once").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) {
          event.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) {
          b.setAttribute("aria-disabled", "true");
          b.classList.add("busy");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupLocate();
    setupAnonymous();
    setupOnce();
  });
})();
