// The service worker for breaking-news alerts, served at /push-sw.js so
// that its scope is the whole site. It only shows alerts and opens their
// story: no caching, no fetch handler.
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// Our own pages only: a payload can never send the reader elsewhere.
function storyUrl(url) {
  try {
    var target = new URL(url, self.location.origin);
    return target.origin === self.location.origin ? target.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

function showAlert(data) {
  var options = {
    body: data.body || "",
    dir: data.dir || "rtl",
    lang: data.lang || "ar",
    tag: data.tag || "breaking",
    icon: data.icon,
    badge: data.badge || data.icon,
    data: { url: storyUrl(data.url || "/") },
  };
  if (data.image) {
    options.image = data.image; // shown where the browser supports it
  }
  if (data.timestamp) {
    options.timestamp = data.timestamp;
  }
  return self.registration.showNotification(data.title || "عاجل", options);
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(showAlert(data));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = storyUrl((event.notification.data || {}).url || "/");
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(url);
    })
  );
});
