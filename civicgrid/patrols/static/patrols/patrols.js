// Check-in and finding forms carry the phone's position when it shares one; without it they still work.
(function () {
  "use strict";
  function fill(form, pos) {
    var lon = form.querySelector("input[name=lon]");
    var lat = form.querySelector("input[name=lat]");
    if (lon && lat && !lon.value && !lat.value) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.js-locate");
    if (!forms.length || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      function (pos) { forms.forEach(function (f) { fill(f, pos); }); },
      function () { /* declined or unavailable: the forms go without a position */ },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
    );
  });
})();
