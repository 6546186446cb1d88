// Passkeys (WebAuthn): adding one on the account page, signing in with one
// on the login page (accounts/passkeys.py checks both). The server gives the
// options as JSON (binary fields in base64url) and takes the browser's answer
// the same way. Without WebAuthn, or without script, nothing here shows and
// the password form works as ever.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  // base64url <-> ArrayBuffer -------------------------------------------------
  function toBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBuffers(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: toBuffer(descriptor.id) });
    });
  }

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: toBuffer(json.challenge),
      user: Object.assign({}, json.user, { id: toBuffer(json.user.id) }),
      excludeCredentials: withBuffers(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: toBuffer(json.challenge),
      allowCredentials: withBuffers(json.allowCredentials),
    });
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") {
      return credential.toJSON();
    }
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  }

  // Requests -------------------------------------------------------------------
  function post(region, url, body) {
    var token = region.querySelector("[name=csrfmiddlewaretoken]");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) {
            throw serverError(data.error);
          }
          return data;
        },
        function () {
          throw serverError("");
        }
      );
    });
  }

  // Our own answers are in the reader's language; the browser's are not (and
  // may be about its rules, e.g. no passkeys on an IP address): those get
  // the region's generic message.
  function serverError(message) {
    var error = new Error(message || "");
    error.fromServer = true;
    return error;
  }

  function messageOf(error) {
    return error && error.fromServer ? error.message : "";
  }

  function showError(region, message) {
    var box = region.querySelector("[data-passkey-error]");
    box.textContent = message || region.getAttribute("data-error");
    box.hidden = false;
  }

  function clearError(region) {
    region.querySelector("[data-passkey-error]").hidden = true;
  }

  function cancelled(error) {
    // The reader closed the browser's dialog, or we stopped the request.
    return error && (error.name === "NotAllowedError" || error.name === "AbortError");
  }

  // The account page: add a passkey ---------------------------------------------
  function deviceName() {
    var agent = navigator.userAgent;
    var data = navigator.userAgentData;
    var device = (data && data.platform) ||
      (/iPhone/.test(agent) && "iPhone") ||
      (/iPad/.test(agent) && "iPad") ||
      (/Android/.test(agent) && "Android") ||
      (/Mac OS X/.test(agent) && "macOS") ||
      (/Windows/.test(agent) && "Windows") ||
      (/CrOS/.test(agent) && "ChromeOS") ||
      (/Linux/.test(agent) && "Linux") || "";
    var browser = (/Edg\//.test(agent) && "Edge") ||
      (/Firefox\//.test(agent) && "Firefox") ||
      (/Chrom(e|ium)\//.test(agent) && "Chrome") ||
      (/Safari\//.test(agent) && "Safari") || "";
    return [browser, device].filter(Boolean).join(" · ");
  }

  var addForm = document.querySelector("[data-passkey-add]");
  if (addForm) {
    var section = addForm.parentNode;
    var nameInput = addForm.querySelector("[name=name]");
    var addButton = addForm.querySelector("button[type=submit]");
    addForm.hidden = false;
    section.querySelector("[data-passkey-unsupported]").hidden = true;
    if (!nameInput.value) {
      nameInput.value = deviceName();
    }
    addForm.addEventListener("submit", function (event) {
      event.preventDefault();
      clearError(addForm);
      addButton.disabled = true;
      post(addForm, addForm.getAttribute("data-options-url"))
        .then(function (options) {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        })
        .then(function (credential) {
          return post(addForm, addForm.getAttribute("data-url"), {
            credential: credentialJSON(credential),
            name: nameInput.value,
          });
        })
        .then(function (data) {
          window.location.assign(data.redirect);
        })
        .catch(function (error) {
          addButton.disabled = false;
          if (error && error.name === "InvalidStateError") {
            // excludeCredentials: this device already holds one for us.
            showError(addForm, addForm.getAttribute("data-error-exists"));
          } else if (!cancelled(error)) {
            showError(addForm, messageOf(error));
          }
        });
    });
  }

  // The login page: sign in with a passkey ------------------------------------------
  var signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn) {
    var button = signIn.querySelector("[data-passkey-button]");
    var autofill = null; // the conditional request, while it waits

    var finish = function (credential) {
      return post(signIn, signIn.getAttribute("data-url"), {
        credential: credentialJSON(credential),
        next: signIn.getAttribute("data-next"),
      }).then(function (data) {
        window.location.assign(data.redirect);
      });
    };

    var ask = function (mediation, signal) {
      return post(signIn, signIn.getAttribute("data-options-url")).then(function (options) {
        var request = { publicKey: requestOptions(options) };
        if (mediation) {
          request.mediation = mediation;
          request.signal = signal;
        }
        return navigator.credentials.get(request);
      });
    };

    // Autofill: the address field offers the passkeys this browser holds for
    // the site (its autocomplete says "webauthn"). It waits until chosen.
    var startAutofill = function () {
      var controller = new AbortController();
      autofill = controller;
      ask("conditional", controller.signal)
        .then(function (credential) {
          return credential && finish(credential);
        })
        .catch(function (error) {
          // Nobody asked yet: only a failed sign-in after a choice is news.
          if (autofill === controller && error && error.fromServer) {
            showError(signIn, messageOf(error));
          }
        });
    };

    signIn.hidden = false;
    button.addEventListener("click", function () {
      clearError(signIn);
      if (autofill) {
        autofill.abort();
        autofill = null;
      }
      button.disabled = true;
      ask(null)
        .then(finish)
        .catch(function (error) {
          button.disabled = false;
          showError(
            signIn,
            cancelled(error) ? signIn.getAttribute("data-error-cancelled") : messageOf(error)
          );
        });
    });

    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (available) {
          startAutofill();
        }
      });
    }
  }
})();
