/*
 * Lotse chat widget (docs/widget.md). Embed with one tag:
 *   <script src="https://SERVER/widget/lotse-widget.js" data-server="https://SERVER"
 *           data-language="de" data-title="Lotse – Ihr Chat-Assistent" defer></script>
 *
 * - Everything is built with DOM nodes and text nodes: no HTML from a message is ever interpreted.
 *   Only http(s) addresses in a text become links; an answer's sources (sent apart from its text)
 *   are links named by their titles, under a "Quellen" disclosure with the review date.
 * - A new answer is shown from its start (with the question before it where it fits), never
 *   scrolled to its end; focus stays where the person put it.
 * - Lives in a shadow root, so the host page's styles and ours do not mix.
 * - sessionStorage is written only after the person opens the chat; it holds the server-issued
 *   session token, whether the chat is open, the language and whether the person picked it. Nothing else.
 * - Every message says which language the widget shows and why (docs/languages.md): "page" (the
 *   page's data-language, only a start: a clearly English or Ukrainian first message wins) or
 *   "chosen" (the person used the language switch: it wins over guesses), and whether it is the
 *   conversation's first message.
 * - Loads its socket.io client (vendored, ./vendor) and its texts (strings.json) from SERVER only.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__lotseWidgetLoaded) return;
  window.__lotseWidgetLoaded = true;

  var SERVER = new URL(script.getAttribute("data-server") || new URL(script.src, location.href).origin, location.href);
  var BASE = SERVER.origin + SERVER.pathname.replace(/\/+$/, "");
  var CONFIG = {
    language: script.getAttribute("data-language") || "de",
    title: script.getAttribute("data-title") || ""
  };
  var STORAGE_KEY = "lotse-widget";
  var SOCKET_IO_MODULE = BASE + "/widget/vendor/socket.io-4.8.4.esm.min.js";
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]»«“”"']+$/;
  var TYPING_TIMEOUT_MS = 30000;
  var NARROW = window.matchMedia("(max-width: 40em)");

  var strings = {};
  var t = {};
  var state = { token: null, open: false, language: null, languageSource: "page" };
  var stored = false; // true once the person has opened the chat: only then is sessionStorage used
  var ui = {};
  var socket = null;
  var socketModule = null;
  var pending = [];
  var typingTimer = null;
  var erasing = false;
  var wasOffline = false;

  // --- storage ---------------------------------------------------------------------------------

  function loadState() {
    try {
      var raw = window.sessionStorage.getItem(STORAGE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function saveState() {
    if (!stored) return;
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) { /* storage may be disabled: the chat still works until the page is left */ }
  }

  function clearState() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* nothing stored */ }
  }

  // --- DOM helpers -----------------------------------------------------------------------------

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") el.textContent = value;
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function icon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  var ICONS = {
    chat: "M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
    close: "M6 6l12 12M18 6L6 18",
    up: "M7 11v9H4v-9h3zm2 9h8.2a2 2 0 0 0 2-1.6l1.3-6A2 2 0 0 0 18.5 10H14l.8-4a1.7 1.7 0 0 0-3.2-1L9 11v9z",
    down: "M17 13V4h3v9h-3zm-2-9H6.8a2 2 0 0 0-2 1.6l-1.3 6A2 2 0 0 0 5.5 14H10l-.8 4a1.7 1.7 0 0 0 3.2 1L15 13V4z"
  };

  /** Text with its http(s) addresses as links; everything else stays text. */
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_IN_TEXT.lastIndex = 0;
    while ((match = URL_IN_TEXT.exec(text)) !== null) {
      var address = match[0].replace(TRAILING_PUNCTUATION, "");
      if (!address) continue;
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(h("a", { href: address, target: "_blank", rel: "noopener noreferrer" }, [
        address, h("span", { class: "sr-only", text: " " + t.new_window })
      ]));
      last = match.index + address.length;
      URL_IN_TEXT.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function paragraphs(text) {
    return String(text).split(/\n\s*\n/).filter(function (p) { return p.trim(); }).map(function (p) {
      var el = h("p");
      appendLinkified(el, p.trim());
      return el;
    });
  }

  // --- building the widget ---------------------------------------------------------------------

  function build() {
    var host = h("div", { id: "lotse-widget" });
    host.hidden = true; // shown once its stylesheet has loaded, so it never flashes unstyled
    var root = host.attachShadow({ mode: "open" });
    var stylesheet = h("link", { rel: "stylesheet", href: BASE + "/widget/lotse-widget.css" });
    stylesheet.addEventListener("load", function () { host.hidden = false; });
    root.appendChild(stylesheet);

    ui.root = root;
    ui.launcherText = h("span");
    ui.launcher = h("button", {
      type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "lotse-panel",
      onclick: function () { openPanel(true); }
    }, [icon(ICONS.chat), ui.launcherText]);

    ui.title = h("h2", { id: "lotse-title", class: "title" });
    ui.languageLabel = h("label", { for: "lotse-language" });
    ui.language = h("select", { id: "lotse-language", onchange: changeLanguage });
    Object.keys(strings).forEach(function (code) {
      ui.language.appendChild(h("option", { value: code, lang: code, text: strings[code]._name || code }));
    });
    ui.closeText = h("span", { class: "sr-only" });
    ui.close = h("button", { type: "button", class: "close", onclick: closePanel }, [icon(ICONS.close), ui.closeText]);

    ui.noticeFull = h("span");
    ui.noticeShort = h("span", { hidden: true });
    ui.privacyText = h("span");
    ui.privacyWindow = h("span", { class: "sr-only" });
    ui.privacy = h("a", { href: BASE + "/datenschutz.html", target: "_blank", rel: "noopener" }, [ui.privacyText, ui.privacyWindow]);
    ui.notice = h("p", { id: "lotse-notice", class: "notice" }, [ui.noticeFull, ui.noticeShort, " ", ui.privacy]);

    ui.intro = h("p", { class: "intro" });
    ui.log = h("div", { id: "lotse-log", class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
    ui.typingText = h("span");
    ui.typing = h("p", { class: "typing", hidden: true }, [h("span", { class: "dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]), ui.typingText]);
    ui.typingStatus = h("p", { class: "sr-only", role: "status" });
    ui.status = h("p", { class: "status", role: "status" });

    ui.inputLabel = h("label", { for: "lotse-message" });
    ui.input = h("input", {
      id: "lotse-message", type: "text", maxlength: "2000", autocomplete: "off", enterkeyhint: "send",
      "aria-describedby": "lotse-notice"
    });
    ui.send = h("button", { type: "submit", class: "primary" });
    ui.composer = h("form", { class: "composer", onsubmit: onSubmit }, [ui.inputLabel, h("div", { class: "row" }, [ui.input, ui.send])]);

    ui.erase = h("button", { type: "button", class: "link-button", onclick: askErase });
    ui.eraseQuestion = h("p", { id: "lotse-erase-question" });
    ui.eraseYes = h("button", { type: "button", class: "danger", onclick: eraseConversation });
    ui.eraseNo = h("button", { type: "button", onclick: cancelErase });
    ui.eraseConfirm = h("div", { class: "erase-confirm", role: "group", "aria-labelledby": "lotse-erase-question", hidden: true }, [
      ui.eraseQuestion, h("div", { class: "row" }, [ui.eraseYes, ui.eraseNo])
    ]);

    ui.panel = h("section", {
      id: "lotse-panel", class: "panel", role: "dialog", "aria-labelledby": "lotse-title", hidden: true,
      onkeydown: onPanelKeydown
    }, [
      // A div, not <header>: the page has its own banner, and a dialog's head is no landmark.
      h("div", { class: "head" }, [ui.title, ui.close]),
      ui.notice,
      h("div", { class: "body" }, [ui.intro, ui.log, ui.typing, ui.typingStatus]),
      ui.status,
      ui.composer,
      h("div", { class: "foot" }, [
        h("div", { class: "foot-row" }, [ui.erase, h("div", { class: "language" }, [ui.languageLabel, ui.language])]),
        ui.eraseConfirm
      ])
    ]);
    ui.container = h("div", { class: "lotse" }, [ui.launcher, ui.panel]);
    root.appendChild(ui.container);
    return host;
  }

  function applyStrings() {
    ui.container.setAttribute("lang", state.language);
    ui.language.value = state.language;
    ui.launcherText.textContent = t.launcher;
    ui.title.textContent = (state.language === CONFIG.language && CONFIG.title) || t.title;  // the page's title is in its own language
    ui.languageLabel.textContent = t.language;
    ui.closeText.textContent = t.close;
    ui.close.title = t.close;
    ui.noticeFull.textContent = t.notice;
    ui.noticeShort.textContent = t.notice_short;
    ui.privacyText.textContent = t.privacy_link;
    if (ui.statusKey) setStatus(ui.statusKey);
    ui.privacy.setAttribute("href", BASE + t.privacy_path);
    ui.privacy.setAttribute("hreflang", state.language);
    ui.privacyWindow.textContent = " " + t.new_window;
    ui.intro.textContent = t.intro;
    ui.log.setAttribute("aria-label", t.log_label);
    ui.typingText.textContent = t.typing;
    ui.inputLabel.textContent = t.input_label;
    ui.send.textContent = t.send;
    ui.erase.textContent = t.erase;
    ui.eraseQuestion.textContent = t.erase_question;
    ui.eraseYes.textContent = t.erase_confirm;
    ui.eraseNo.textContent = t.erase_cancel;
  }

  // --- opening and closing ---------------------------------------------------------------------

  function openPanel(moveFocus) {
    stored = true;
    state.open = true;
    saveState();
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    connect();
    showTurn();
    if (moveFocus) ui.input.focus();
  }

  function closePanel() {
    state.open = false;
    saveState();
    cancelErase(false);
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  function focusable() {
    return Array.prototype.filter.call(
      ui.panel.querySelectorAll("a[href], button, summary, select, input, [tabindex='0']"),
      function (el) { return !el.disabled && el.getClientRects().length > 0; }
    );
  }

  function onPanelKeydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
      return;
    }
    // On a small screen the panel covers the page: keep Tab inside it.
    if (event.key !== "Tab" || !NARROW.matches) return;
    var items = focusable();
    if (!items.length) return;
    var active = ui.root.activeElement;
    if (event.shiftKey && active === items[0]) {
      event.preventDefault();
      items[items.length - 1].focus();
    } else if (!event.shiftKey && active === items[items.length - 1]) {
      event.preventDefault();
      items[0].focus();
    }
  }

  function changeLanguage() {
    if (!strings[ui.language.value]) return;
    state.language = ui.language.value;
    state.languageSource = "chosen";
    t = strings[state.language];
    saveState();
    applyStrings();
  }

  // --- the conversation ------------------------------------------------------------------------

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  /** Where an element of the log starts, in the log's scrolled content. */
  function topInLog(el) {
    return el.getBoundingClientRect().top - ui.log.getBoundingClientRect().top + ui.log.scrollTop;
  }

  /**
   * Shows the latest answer from its start: its first bot message at the top of the log, with the
   * question before it if that leaves most of the log to the answer. A short answer ends up fully
   * visible anyway (the log cannot scroll past its end). Instant, never animated.
   */
  function showTurn() {
    var start = ui.turnStart;
    if (!start || !start.isConnected) return scrollToEnd();
    var gap = parseFloat(getComputedStyle(ui.log).paddingTop) || 0;
    var target = topInLog(start) - gap;
    var question = start.previousElementSibling;
    if (question && question.classList.contains("user")) {
      var questionTop = topInLog(question) - gap;
      if (target - questionTop <= ui.log.clientHeight / 3) target = questionTop;
    }
    ui.log.scrollTop = Math.max(0, target);
  }

  // The status is kept as a key of strings.json, so a language change re-renders it.
  function setStatus(key) {
    ui.statusKey = key || "";
    ui.status.textContent = key ? t[key] : "";
  }


  function messageCount() {
    return ui.log.querySelectorAll(".msg").length;
  }

  function updateNotice() {
    var started = messageCount() > 0;
    ui.noticeFull.hidden = started;
    ui.noticeShort.hidden = !started;
    ui.intro.hidden = started;
  }

  function addUserMessage(text) {
    ui.log.appendChild(h("div", { class: "msg user" }, [h("span", { class: "sr-only", text: t.you + " " }), h("p", { text: text })]));
    ui.turnStart = null; // the next bot message starts the answer to this
    updateNotice();
    scrollToEnd();
  }

  function ratingButtons(messageId) {
    var group = h("div", { class: "rate", role: "group", "aria-label": t.rate_label });
    [["up", t.rate_up, ICONS.up], ["down", t.rate_down, ICONS.down]].forEach(function (r) {
      group.appendChild(h("button", {
        type: "button", class: "icon-button", "data-rating": r[0], "aria-pressed": "false", title: r[1],
        onclick: function () { rate(messageId, r[0], group); }
      }, [icon(r[2]), h("span", { class: "sr-only", text: r[1] })]));
    });
    return group;
  }

  function isWebAddress(url) {
    return typeof url === "string" && /^https?:\/\//.test(url);
  }

  /** An answer's sources: links named by their titles, folded under the label ("Quellen"). */
  function sourcesBlock(sources) {
    var items = (sources && sources.items || []).filter(function (s) { return s && isWebAddress(s.url); });
    if (!items.length) return null;
    var list = h("ul", { class: "source-list" });
    items.forEach(function (source) {
      var name = String(source.title || "").trim() || new URL(source.url).hostname;
      list.appendChild(h("li", {}, [h("a", { href: source.url, target: "_blank", rel: "noopener noreferrer" }, [
        name, h("span", { class: "sr-only", text: " " + t.new_window })
      ])]));
    });
    return h("details", { class: "sources" }, [
      h("summary", { text: sources.label || t.sources }),
      list,
      sources.checked ? h("p", { class: "checked", text: sources.checked }) : null
    ]);
  }

  /**
   * The situation check's list on a page of this server to print (web/widget/print.html): the page
   * opens empty, says when it is ready, and gets the list from here; nothing is sent to the server.
   */
  function openPrintPage(page) {
    var win = window.open(BASE + "/widget/print.html?lang=" + encodeURIComponent(page.lang || state.language), "_blank");
    if (!win) return;
    function onReady(event) {
      if (event.source !== win || event.origin !== SERVER.origin || !event.data || event.data.type !== "lotse-print-ready") return;
      window.removeEventListener("message", onReady);
      win.postMessage({ type: "lotse-print", page: page }, SERVER.origin);
    }
    window.addEventListener("message", onReady);
  }

  function printButton(page) {
    if (!page || typeof page !== "object" || !page.labels || !page.labels.open) return null;
    return h("p", { class: "print" }, [h("button", {
      type: "button", class: "print-button", onclick: function () { openPrintPage(page); }
    }, [String(page.labels.open), h("span", { class: "sr-only", text: " " + t.new_window })])]);
  }

  function addBotMessage(message, withReplies) {
    var parts = [h("span", { class: "sr-only", text: t.bot + " " })].concat(paragraphs(message.text || ""));
    parts.push(sourcesBlock(message.sources));
    parts.push(printButton(message.print));
    var bubble = h("div", { class: "msg bot" }, [h("div", { class: "bubble" }, parts)]);
    if (message.message_id && message.text) bubble.appendChild(ratingButtons(message.message_id));
    ui.log.appendChild(bubble);
    if (!ui.turnStart) ui.turnStart = bubble;
    if (withReplies && message.quick_replies && message.quick_replies.length) addReplies(message.quick_replies);
    updateNotice();
    showTurn();
  }

  function addReplies(replies) {
    var group = h("div", { class: "replies", role: "group", "aria-label": t.replies_label });
    replies.forEach(function (reply) {
      group.appendChild(h("button", {
        type: "button", text: reply.title,
        onclick: function () { send(reply.payload, reply.title); ui.input.focus(); }
      }));
    });
    ui.log.appendChild(group);
  }

  function removeReplies() {
    Array.prototype.forEach.call(ui.log.querySelectorAll(".replies"), function (el) { el.remove(); });
  }

  function clearLog() {
    while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
    ui.turnStart = null;
    stopTyping();
    updateNotice();
  }

  function renderHistory(history) {
    var shown = messageCount();
    var missing = (history || []).slice(shown);
    if (!missing.length) return;
    // Turns restored after a reload are not announced again; new ones are.
    if (shown === 0) ui.log.setAttribute("aria-live", "off");
    missing.forEach(function (item, index) {
      var last = index === missing.length - 1;
      if (item.who === "user") addUserMessage(item.text);
      else addBotMessage(item, last);
    });
    if (shown === 0) window.setTimeout(function () { ui.log.setAttribute("aria-live", "polite"); }, 0);
  }

  function startTyping() {
    ui.typing.hidden = false;
    ui.typingStatus.textContent = t.typing;
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(stopTyping, TYPING_TIMEOUT_MS);
  }

  function stopTyping() {
    window.clearTimeout(typingTimer);
    ui.typing.hidden = true;
    ui.typingStatus.textContent = "";
  }

  function emitMessage(item) {
    var metadata = { language: state.language, language_source: state.languageSource, conversation_start: item.starting };
    socket.emit("user_uttered", { token: state.token, message: item.text, metadata: metadata });
    startTyping();
  }

  function send(text, shown) {
    removeReplies();
    var item = { text: text, starting: !ui.log.querySelector(".msg.user") };
    addUserMessage(shown || text);
    if (socket && socket.connected && state.token) emitMessage(item);
    else {
      pending.push(item);
      connect();
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    var text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = "";
    send(text);
  }

  // --- the connection --------------------------------------------------------------------------

  function loadSocketModule() {
    socketModule = socketModule || import(SOCKET_IO_MODULE);
    return socketModule;
  }

  function connect() {
    if (socket) return;
    socket = {}; // placeholder while the module loads
    setStatus("connecting");
    loadSocketModule().then(function (module) {
      socket = module.io(SERVER.origin, {
        path: SERVER.pathname.replace(/\/+$/, "") + "/socket.io/",
        // The token (not a session id) proves the conversation; read again on every reconnect.
        auth: function (callback) { callback(state.token ? { token: state.token } : {}); },
        reconnectionDelayMax: 10000,
        withCredentials: false
      });
      socket.on("session_confirm", onSessionConfirm);
      socket.on("bot_uttered", function (message) { addBotMessage(message || {}, true); });
      socket.on("bot_done", stopTyping);
      socket.on("session_error", onSessionError);
      socket.on("session_ended", onSessionEnded);
      socket.on("disconnect", function (reason) {
        stopTyping();
        if (reason !== "io client disconnect") {
          wasOffline = true;
          setStatus("offline");
        }
      });
      socket.on("connect_error", function () {
        wasOffline = true;
        setStatus("offline");
      });
    }).catch(function () {
      socket = null;
      setStatus("unavailable");
    });
  }

  function onSessionConfirm(info) {
    if (!info || typeof info.token !== "string") return;
    var previous = state.token;
    state.token = info.token;
    saveState();
    if (wasOffline) setStatus("online");
    else if (ui.statusKey === "connecting") setStatus("");
    wasOffline = false;
    if (info.resumed) {
      if (!pending.length) renderHistory(info.history);
    } else if (previous && previous !== info.token && !erasing) {
      clearLog();
      setStatus("new_session");
    }
    var queued = pending;
    pending = [];
    queued.forEach(emitMessage);
  }

  function onSessionError() {
    // The server refused our token (expired or ended): ask for a new conversation. Its
    // session_confirm clears the old turns and says so.
    stopTyping();
    socket.emit("session_request", {});
  }

  function onSessionEnded() {
    // "Verlauf löschen" in another tab of this conversation.
    clearLog();
    state.token = null;
    clearState();
    setStatus("erased");
    socket.emit("session_request", {});
  }

  function rate(messageId, rating, group) {
    if (!socket || !socket.connected) {
      setStatus("rate_failed");
      return;
    }
    socket.timeout(10000).emit("feedback", { token: state.token, message_id: messageId, rating: rating }, function (error, answer) {
      if (error || !answer || !answer.ok) {
        setStatus("rate_failed");
        return;
      }
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-rating") === rating));
      });
      setStatus("rate_thanks");
    });
  }

  function askErase() {
    ui.erase.hidden = true;
    ui.eraseConfirm.hidden = false;
    ui.eraseNo.focus();
  }

  function cancelErase(moveFocus) {
    ui.eraseConfirm.hidden = true;
    ui.erase.hidden = false;
    if (moveFocus !== false) ui.erase.focus();
  }

  function eraseConversation() {
    if (!socket || !socket.connected) {
      setStatus("erase_failed");
      return;
    }
    erasing = true;
    socket.timeout(20000).emit("erase", { token: state.token }, function (error, answer) {
      erasing = false;
      cancelErase(false);
      if (error || !answer || !answer.ok) {
        setStatus("erase_failed");
        ui.erase.focus();
        return;
      }
      // The server has erased the conversation and bound this tab to a new, empty one.
      clearLog();
      var fresh = state.token;
      clearState();
      state.token = fresh;
      saveState();
      setStatus("erased");
      ui.input.focus();
    });
  }

  // --- start -----------------------------------------------------------------------------------

  function chooseLanguage(saved) {
    if (saved && strings[saved]) return saved;
    if (strings[CONFIG.language]) return CONFIG.language;
    return Object.keys(strings)[0];
  }

  function start() {
    fetch(BASE + "/widget/strings.json", { credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (table) {
        strings = table;
        var saved = loadState();
        if (saved) {
          stored = true;
          state.token = typeof saved.token === "string" ? saved.token : null;
          state.open = saved.open === true;
        }
        state.language = chooseLanguage(saved && saved.language);
        state.languageSource = saved && saved.languageSource === "chosen" && state.language === saved.language ? "chosen" : "page";
        t = strings[state.language];
        var host = build();
        applyStrings();
        updateNotice();
        document.body.appendChild(host);
        if (state.open) openPanel(false); // after a reload: as it was, without moving focus
        else if (state.token) connect();
      })
      .catch(function () { /* without its texts the widget stays away; the page works as before */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
