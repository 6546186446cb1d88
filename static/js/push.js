// Breaking-news alerts for this browser (Web Push), on /notifications/ and
// the account's alerts page only. The browser's permission prompt comes from
// the reader's click on the subscribe button, never on page load. Public
// pages carry no CSRF token, so one is fetched from a private endpoint
// before the first POST.
(function () {
  "use strict";

  var panel = document.querySelector("[data-push-panel]");
  if (!panel) {
    return;
  }
  var form = panel.querySelector("[data-push-form]");
  var statusLine = panel.querySelector("[data-push-status]");
  var subscribeButton = panel.querySelector("[data-push-subscribe]");
  var stopButton = panel.querySelector("[data-push-unsubscribe]");
  var subscribeLabel = subscribeButton.textContent;
  var csrfToken = null;

  function text(key) {
    var item = panel.querySelector('[data-text="' + key + '"]');
    return item ? item.textContent : "";
  }

  function say(message) {
    statusLine.textContent = message;
  }

  function busy(on) {
    subscribeButton.disabled = on;
    stopButton.disabled = on;
    panel.setAttribute("aria-busy", on ? "true" : "false");
  }

  function show(subscribed, topics) {
    panel.setAttribute("data-state", subscribed ? "on" : "off");
    stopButton.hidden = !subscribed;
    subscribeButton.textContent = subscribed ? text("save") : subscribeLabel;
    if (topics) {
      form.elements.breaking.checked = topics.breaking;
      form.querySelectorAll("input[name=section]").forEach(function (box) {
        box.checked = topics.sections.indexOf(Number(box.value)) !== -1;
      });
    }
  }

  function chosenTopics() {
    var sections = [];
    form.querySelectorAll("input[name=section]:checked").forEach(function (box) {
      sections.push(Number(box.value));
    });
    return { breaking: form.elements.breaking.checked, sections: sections };
  }

  function token() {
    if (csrfToken) {
      return Promise.resolve(csrfToken);
    }
    return fetch(panel.dataset.tokenUrl, { credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        csrfToken = data.csrf_token;
        return csrfToken;
      });
  }

  // POST JSON; a refusal with a message (400) rejects with that message.
  function post(url, body) {
    return token().then(function (value) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": value,
        },
        body: JSON.stringify(body),
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || text("failed"));
          }
          return data;
        });
      });
    });
  }

  function keyBytes(base64url) {
    var raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(subscription) {
    var key = subscription.options && subscription.options.applicationServerKey;
    if (!key) {
      return true;
    }
    var ours = keyBytes(panel.dataset.key);
    var theirs = new Uint8Array(key);
    return (
      ours.length === theirs.length &&
      ours.every(function (byte, i) {
        return byte === theirs[i];
      })
    );
  }

  function proof(subscription) {
    var json = subscription.toJSON();
    return { endpoint: json.endpoint, keys: { auth: json.keys.auth } };
  }

  function existingSubscription() {
    return navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    });
  }

  function browserSubscription() {
    return navigator.serviceWorker
      .register(panel.dataset.workerUrl, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var manager = registration.pushManager;
        var fresh = function () {
          return manager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(panel.dataset.key),
          });
        };
        return manager.getSubscription().then(function (subscription) {
          if (subscription && sameKey(subscription)) {
            return subscription;
          }
          // Made for an older key of ours (or none): replace it.
          return subscription ? subscription.unsubscribe().then(fresh) : fresh();
        });
      });
  }

  function subscribe(event) {
    event.preventDefault();
    var topics = chosenTopics();
    busy(true);
    say(text("working"));
    // Asked here, in the click, so the browser shows its prompt now.
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error(text("denied"));
        }
        return browserSubscription();
      })
      .then(function (subscription) {
        return post(panel.dataset.subscribeUrl, {
          subscription: subscription.toJSON(),
          topics: topics,
        });
      })
      .then(function (data) {
        show(true, data.topics);
        say(text("saved"));
      })
      .catch(function (error) {
        say(error && error.message && error.name === "Error" ? error.message : text("failed"));
      })
      .finally(function () {
        busy(false);
      });
  }

  function stop() {
    busy(true);
    say(text("working"));
    existingSubscription()
      .then(function (subscription) {
        if (!subscription) {
          return null;
        }
        return post(panel.dataset.unsubscribeUrl, proof(subscription)).then(function () {
          return subscription.unsubscribe();
        });
      })
      .then(function () {
        show(false);
        say(text("stopped"));
      })
      .catch(function (error) {
        say(error && error.name === "Error" ? error.message : text("failed"));
      })
      .finally(function () {
        busy(false);
      });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    statusLine.textContent = text("unsupported");
    form.hidden = true;
    panel.hidden = false;
    return;
  }
  form.addEventListener("submit", subscribe);
  stopButton.addEventListener("click", stop);
  panel.hidden = false;
  if (Notification.permission === "denied") {
    say(text("denied"));
    return;
  }
  show(false);
  say(text("off"));
  // Only a browser that already has our worker can have a subscription: ask
  // the server what it chose (no prompt, no worker registered here).
  existingSubscription()
    .then(function (subscription) {
      if (!subscription) {
        return;
      }
      return post(panel.dataset.statusUrl, proof(subscription)).then(function (data) {
        show(data.subscribed, data.topics);
        say(text(data.subscribed ? "on" : "off"));
      });
    })
    .catch(function () {});
})();
