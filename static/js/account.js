// The reader's own bits on pages that are the same for everybody (so caches
// share them): when the `reader_state` cookie says there is something to
// know, ask the state endpoint once, then show the account menu, mark the
// save and follow buttons, hide the sign-up invitation, show messages.
// Without script every button is a link to a page that does it itself.
// Buttons post to the URL naming the state they want (save or unsave), so a
// double click never flips it back.
(function () {
  "use strict";

  var nav = document.querySelector("[data-account-nav]");
  var csrfToken = "";

  // Set by personal pages and actions; a browser that never asked asks once.
  function hasState() {
    return /(?:^|;\s*)reader_state=1(?:;|$)/.test(document.cookie) || !remembered("get");
  }

  function remembered(action) {
    try {
      return action === "get"
        ? window.localStorage.getItem("reader-state-asked")
        : window.localStorage.setItem("reader-state-asked", "1");
    } catch (error) {
      return true; // storage refused (a private window): rely on the cookie
    }
  }

  function stateUrl() {
    var articles = [];
    var follows = [];
    document.querySelectorAll("[data-toggle]").forEach(function (control) {
      var key = control.getAttribute("data-toggle");
      var target = key.indexOf("article:") === 0 ? articles : follows;
      var value = target === articles ? key.slice(8) : key;
      if (target.indexOf(value) === -1) {
        target.push(value);
      }
    });
    var query = new URLSearchParams();
    if (articles.length) {
      query.set("a", articles.join(","));
    }
    if (follows.length) {
      query.set("f", follows.join(","));
    }
    var url = nav.getAttribute("data-state-url");
    return query.toString() ? url + "?" + query.toString() : url;
  }

  function showMessages(messages) {
    var region = document.querySelector("[data-messages]");
    if (!region || !messages.length) {
      return;
    }
    var list = document.createElement("ul");
    list.className = "messages";
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "message message--" + message.level;
      item.textContent = message.text;
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function showAccountMenu(state) {
    var template = document.getElementById("account-nav-signed-in");
    if (!template) {
      return;
    }
    var menu = template.content.cloneNode(true);
    var name = menu.querySelector("[data-account-name]");
    if (name && state.name) {
      name.textContent = state.name;
    }
    menu.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = state.csrf_token;
    });
    nav.replaceChildren(menu);
  }

  // A link to the prompt page becomes a toggle button with the reader's
  // state, posting to the URLs the state endpoint gave for its kind.
  function toButton(link, pressed, urls) {
    var key = link.getAttribute("data-toggle").split(":");
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.innerHTML = link.innerHTML;
    button.setAttribute("data-toggle", link.getAttribute("data-toggle"));
    button.setAttribute("data-on-url", urls[key[0]][0].replace("{id}", key[1]));
    button.setAttribute("data-off-url", urls[key[0]][1].replace("{id}", key[1]));
    button.setAttribute("data-prompt-url", link.href);
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    link.replaceWith(button);
  }

  function setPressed(key, active) {
    document.querySelectorAll("[data-toggle]").forEach(function (control) {
      if (control.getAttribute("data-toggle") !== key) {
        return;
      }
      var button = control.matches("button") ? control : control.querySelector("button");
      if (button) {
        button.setAttribute("aria-pressed", active ? "true" : "false");
      }
      if (control.matches("form")) {
        control.action = active ? control.dataset.offUrl : control.dataset.onUrl;
      }
    });
  }

  function toggle(control, button, fallback) {
    if (button.getAttribute("aria-busy") === "true") {
      return;
    }
    var active = button.getAttribute("aria-pressed") === "true";
    var form = control.matches("form") ? control : null;
    var token = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
    button.setAttribute("aria-busy", "true");
    fetch(active ? control.dataset.offUrl : control.dataset.onUrl, {
      method: "POST",
      body: form ? new FormData(form) : null,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : csrfToken,
      },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("json") === -1) {
          throw new Error("toggle failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        setPressed(control.getAttribute("data-toggle"), data.active);
      })
      .catch(fallback)
      .finally(function () {
        button.removeAttribute("aria-busy");
      });
  }

  // Forms on personal pages, buttons made from links on public ones.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-toggle")) {
      return;
    }
    event.preventDefault();
    toggle(form, form.querySelector("button[aria-pressed]"), function () {
      form.submit(); // an ordinary submission and its redirect back
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-toggle]");
    if (!button) {
      return;
    }
    toggle(button, button, function () {
      // The prompt page does the same without script.
      window.location.href = button.getAttribute("data-prompt-url");
    });
  });

  function apply(state) {
    showMessages(state.messages || []);
    if (!state.signed_in) {
      return;
    }
    csrfToken = state.csrf_token;
    showAccountMenu(state);
    document.querySelectorAll("[data-signed-out]").forEach(function (element) {
      element.hidden = true;
    });
    var saved = (state.saved || []).map(function (id) {
      return "article:" + id;
    });
    var marked = saved.concat(state.following || []);
    document.querySelectorAll("a[data-toggle]").forEach(function (link) {
      var pressed = marked.indexOf(link.getAttribute("data-toggle")) !== -1;
      toButton(link, pressed, state.toggle_urls);
    });
  }

  if (nav && hasState()) {
    fetch(stateUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state) {
          remembered("set");
          apply(state);
        }
      })
      .catch(function () {
        // The page stays as every reader gets it: links that still work.
      });
  }
})();
