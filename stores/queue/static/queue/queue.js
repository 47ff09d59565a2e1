// Keeps the queue page current: asks for the store's rows with the version it has, and
// only a changed queue sends any (an unchanged one answers 304 with no body).
(function () {
  "use strict";
  var box = document.getElementById("queue-rows");
  if (!box) { return; }
  var url = box.dataset.updatesUrl;
  var etag = box.dataset.etag;
  var interval = parseInt(box.dataset.interval, 10) || 1000;

  function ago(since) {
    var minutes = Math.max(0, Math.floor((Date.now() - since.getTime()) / 60000));
    if (minutes < 60) { return minutes + (minutes === 1 ? " minute" : " minutes"); }
    var hours = Math.floor(minutes / 60);
    return hours + (hours === 1 ? " hour" : " hours") + ", " + (minutes % 60) + " min";
  }

  function refreshTimes() {
    box.querySelectorAll("time.queue-since").forEach(function (el) {
      el.textContent = ago(new Date(el.getAttribute("datetime")));
    });
  }

  function poll() {
    if (document.hidden) { return setTimeout(poll, interval); }
    fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || etag;
          return response.text().then(function (html) { box.innerHTML = html; });
        }
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { refreshTimes(); setTimeout(poll, interval); });
  }
  setTimeout(poll, interval);
})();
