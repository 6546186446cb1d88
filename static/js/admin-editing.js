// Article admin: keep this page's soft lock on the story (articles/editing).
// A heartbeat renews the lock while the editor works and reports who else
// holds it, a take-over, or a save by someone else since the form was
// opened; leaving the page releases it. The server decides everything and
// answers in Arabic; this script only shows what it says. Without it the
// lock simply expires a couple of minutes after the page was opened.
(function () {
  "use strict";

  function init() {
    var box = document.querySelector("[data-edit-lock][data-heartbeat-url]");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!box || !csrf) {
      return;
    }
    var message = box.querySelector("[data-edit-lock-message]");
    var saved = box.querySelector("[data-edit-lock-saved]");
    var take = box.querySelector("[data-edit-lock-take]");
    var version = document.querySelector("input[name=version]");
    var every = (parseInt(box.dataset.heartbeatSeconds, 10) || 30) * 1000;
    var idleAfter = (parseInt(box.dataset.idleSeconds, 10) || 600) * 1000;
    var lastActivity = Date.now();

    function payload() {
      var data = new URLSearchParams();
      data.append("csrfmiddlewaretoken", csrf.value);
      data.append("page", box.dataset.page);
      if (version && version.value) {
        data.append("version", version.value);
      }
      return data;
    }

    function show(state) {
      if (!state || typeof state !== "object") {
        return;
      }
      var lockText = state.error || state.message || "";
      message.textContent = lockText;
      message.hidden = !lockText;
      saved.textContent = state.saved_message || "";
      saved.hidden = !state.saved_message;
      if (take) {
        take.hidden = Boolean(state.mine) || !state.holder;
      }
      box.classList.toggle("nr-edit-lock--taken", Boolean(state.taken_over));
      box.hidden = !lockText && !state.saved_message;
    }

    function send(url) {
      return fetch(url, {
        method: "POST",
        body: payload(),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json();
        })
        .then(show)
        .catch(function () {
          // Offline or a server hiccup: the next heartbeat tries again.
        });
    }

    function beat() {
      // A page left alone stops renewing, so the lock expires by itself.
      if (Date.now() - lastActivity < idleAfter) {
        send(box.dataset.heartbeatUrl);
      }
    }

    function active() {
      var wasIdle = Date.now() - lastActivity >= idleAfter;
      lastActivity = Date.now();
      if (wasIdle) {
        // Back at the desk: renew (or learn who has the story) at once.
        send(box.dataset.heartbeatUrl);
      }
    }

    ["keydown", "input", "pointerdown", "wheel", "touchstart"].forEach(
      function (name) {
        document.addEventListener(name, active, { capture: true, passive: true });
      }
    );
    if (take) {
      take.addEventListener("click", function () {
        send(box.dataset.takeUrl);
      });
    }
    window.setInterval(beat, every);
    window.addEventListener("pagehide", function () {
      navigator.sendBeacon(box.dataset.releaseUrl, payload());
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        // Back from the browser's page cache: the lock was released on the
        // way out, so ask for it again.
        send(box.dataset.heartbeatUrl);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
