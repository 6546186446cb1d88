// Save / follow buttons: toggle in place without reloading the page.
// Without JavaScript the same forms post and redirect back, so this is only
// an enhancement. Each form posts to the URL that names the state it wants
// (save or unsave), so a double click can never flip the state back.
(function () {
  "use strict";

  function setState(form, active) {
    form.action = active ? form.dataset.offUrl : form.dataset.onUrl;
    var button = form.querySelector("button[aria-pressed]");
    if (button) {
      button.setAttribute("aria-pressed", active ? "true" : "false");
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-toggle")) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[aria-pressed]");
    if (button && button.getAttribute("aria-busy") === "true") {
      return;
    }
    if (button) {
      button.setAttribute("aria-busy", "true");
    }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
    })
      .then(function (response) {
        if (!response.ok || !response.headers.get("Content-Type").includes("json")) {
          throw new Error("toggle failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        // Keep every control for the same article or topic on the page in step.
        var onUrl = form.dataset.onUrl;
        document.querySelectorAll("form[data-toggle]").forEach(function (other) {
          if (other.dataset.onUrl === onUrl) {
            setState(other, data.active);
          }
        });
      })
      .catch(function () {
        // Fall back to an ordinary submission (and its redirect back).
        form.submit();
      })
      .finally(function () {
        if (button) {
          button.removeAttribute("aria-busy");
        }
      });
  });
})();
