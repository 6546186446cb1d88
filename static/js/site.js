// Progressive enhancement only: every page reads fine without it.
(function () {
  "use strict";

  // Count one view of the article. A beacon, not a server-side counter, so a
  // page served from a cache still counts; no cookie is needed or set.
  var story = document.querySelector("[data-view-url]");
  if (story && navigator.sendBeacon && !/bot|crawl|spider/i.test(navigator.userAgent)) {
    var sent = false;
    var send = function () {
      if (!sent && document.visibilityState === "visible") {
        sent = true;
        navigator.sendBeacon(story.getAttribute("data-view-url"));
      }
    };
    send();
    if (!sent) {
      document.addEventListener("visibilitychange", send);
    }
  }

  // The shared breaking strip (inline on the home page), if there is one.
  var strip = document.querySelector("[data-breaking-url]");
  if (strip && window.fetch && !/bot|crawl|spider/i.test(navigator.userAgent)) {
    fetch(strip.getAttribute("data-breaking-url"))
      .then(function (r) {
        return r.ok ? r.text() : "";
      })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html");
        found = found.querySelector(".breaking");
        // Late: only where scroll anchoring keeps the text still.
        if (found && (!window.scrollY || CSS.supports("overflow-anchor:auto"))) {
          strip.appendChild(document.adoptNode(found));
        }
      })
      .catch(function () {});
  }

  // Copy-link share button: shown only where the Clipboard API exists.
  var copyButtons = document.querySelectorAll("[data-copy-url]");
  Array.prototype.forEach.call(copyButtons, function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(function () {
        button.textContent = button.getAttribute("data-copied-text");
        button.setAttribute("aria-live", "polite");
        window.setTimeout(function () {
          button.textContent = label;
        }, 2500);
      });
    });
  });
})();
