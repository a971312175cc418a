// Portcullis: passkey ceremonies (WebAuthn). Loaded only by the pages that offer
// passkeys; the CSP allows scripts from this origin and nothing inline.
//
// Each `[data-passkey]` block names its ceremony: `data-mode` is `create` (add a
// passkey) or `get` (sign in / confirm); `data-start` and `data-finish` are the
// JSON routes, `data-csrf` the page's CSRF token (sent as X-CSRF-Token), `data-rd`
// where to go after. The server sends the options as WebAuthn JSON, binary fields
// in base64url; they are turned into ArrayBuffers here and back on the answer.
"use strict";

(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function fromB64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Drops `null`s: the browser refuses `hints: null` where it accepts no hints.
  function clean(value) {
    if (Array.isArray(value)) {
      return value.map(clean);
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (key) {
        if (value[key] !== null) {
          out[key] = clean(value[key]);
        }
      });
      return out;
    }
    return value;
  }

  function decodeIds(list) {
    (list || []).forEach(function (c) {
      c.id = fromB64url(c.id);
    });
  }

  function creationOptions(options) {
    var pk = clean(options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    pk.user.id = fromB64url(pk.user.id);
    decodeIds(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function requestOptions(options) {
    var pk = clean(options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    decodeIds(pk.allowCredentials);
    return { publicKey: pk };
  }

  function answerOf(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      response.userHandle = toB64url(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: response,
      extensions: {},
    };
  }

  // POSTs JSON; a stale confirmation is answered with a redirect to /reauth,
  // which the whole page follows.
  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (answer) {
      if (answer.redirected) {
        window.location.assign(answer.url);
        return new Promise(function () {});
      }
      return answer.json().then(
        function (json) {
          if (!answer.ok) {
            throw new Error(json.error || "The server refused the passkey.");
          }
          return json;
        },
        function () {
          throw new Error("The server refused the passkey (" + answer.status + ").");
        }
      );
    });
  }

  function ceremony(block, conditional) {
    var d = block.dataset;
    var status = block.querySelector("[role=status]");
    var name = block.querySelector("input[name=name]");
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    var start = function (signal) {
      return post(d.start, d.csrf).then(function (started) {
        var finish = { ceremony: started.ceremony, rd: d.rd || null };
        var asked;
        if (d.mode === "create") {
          asked = navigator.credentials.create(creationOptions(started.options));
          finish.name = name ? name.value : "";
        } else {
          var opts = requestOptions(started.options);
          if (conditional) {
            opts.mediation = "conditional";
            opts.signal = signal;
          }
          asked = navigator.credentials.get(opts);
        }
        return asked.then(function (credential) {
          if (!credential) {
            throw new Error("No passkey was chosen.");
          }
          finish.credential = answerOf(credential);
          say("Checking…");
          return post(d.finish, d.csrf, finish);
        });
      });
    };
    return function (signal) {
      if (!conditional) {
        say("Follow your browser's prompt…");
      }
      return start(signal).then(
        function (done) {
          say("Done.");
          window.location.assign(done.redirect);
        },
        function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          if (error && error.name === "NotAllowedError") {
            say("The passkey prompt was closed or timed out. Try again.");
          } else {
            say(error && error.message ? error.message : "That did not work. Try again.");
          }
        }
      );
    };
  }

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var go = block.querySelector("[data-passkey-go]");
    var form = block.tagName === "FORM" ? block : null;
    var modal = ceremony(block, false);
    var autofill = null;
    block.hidden = false;
    var run = function (event) {
      if (event) {
        event.preventDefault();
      }
      if (form && !form.reportValidity()) {
        return;
      }
      if (autofill) {
        autofill.abort();
        autofill = null;
      }
      modal();
    };
    if (form) {
      form.addEventListener("submit", run);
    } else if (go) {
      go.addEventListener("click", run);
    }
    // Browser autofill: passkeys offered in the username field's suggestions.
    var mediation = PublicKeyCredential.isConditionalMediationAvailable;
    if (block.dataset.autofill && mediation) {
      mediation.call(PublicKeyCredential).then(function (available) {
        if (available) {
          autofill = new AbortController();
          ceremony(block, true)(autofill.signal);
        }
      });
    }
  });
})();
