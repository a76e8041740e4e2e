// Minimal accessible chat page for Lotse. Renders every message as text (never as HTML);
// URLs become links through the DOM. The session id is kept in sessionStorage only after the
// user sends a first message.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var URL_RE = /(https?:\/\/[^\s;)]+)/g;

  function sessionId() {
    var id = sessionStorage.getItem("lotse-session");
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      sessionStorage.setItem("lotse-session", id);
    }
    return id;
  }

  function appendText(el, text) {
    var parts = String(text).split(URL_RE);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part; a.textContent = part; a.rel = "noopener noreferrer"; a.target = "_blank";
        el.appendChild(a);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  function addMessage(who, text) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "bot" ? "Lotse: " : "Sie: ";
    div.appendChild(label);
    appendText(div, text);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function addButtons(buttons) {
    var wrap = document.createElement("div");
    wrap.className = "buttons";
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", function () {
        wrap.remove();
        send(b.payload, b.title);
      });
      wrap.appendChild(btn);
    });
    log.appendChild(wrap);
  }

  function send(message, shown) {
    addMessage("user", shown || message);
    typing.hidden = false;
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sessionId(), message: message })
    })
      .then(function (r) { return r.json(); })
      .then(function (replies) {
        (replies || []).forEach(function (m) {
          if (m.text) addMessage("bot", m.text);
          if (m.buttons && m.buttons.length) addButtons(m.buttons);
        });
      })
      .catch(function () {
        addMessage("bot", "Lotse ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.");
      })
      .finally(function () { typing.hidden = true; input.focus(); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
