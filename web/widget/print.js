/*
 * The page to print the situation check's list on (web/widget/print.html, docs/situation-check.md).
 * The widget opens it and, once this page says it is ready, posts the list:
 *   {type: "lotse-print", page: {lang, heading, items: [text], limits, labels: {title, print, note}}}
 * Accepted only from the window that opened this page and only from an allowed widget origin
 * (data-origins). Nothing is stored: closing the window ends it. No HTML from the list is interpreted.
 */
(function () {
  "use strict";

  var body = document.body;
  var allowed = (body.getAttribute("data-origins") || "").split(" ").filter(Boolean);
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]»«“”"']+$/;
  var BULLET = "• ";
  var WAIT_MS = 5000;
  var shown = false;

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") el.textContent = attrs[key];
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), attrs[key]);
      else el.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  /** Text with its http(s) addresses as links (printed with their address); the rest stays text. */
  function linkified(tag, text) {
    var el = h(tag);
    var last = 0;
    var match;
    URL_IN_TEXT.lastIndex = 0;
    while ((match = URL_IN_TEXT.exec(text)) !== null) {
      var address = match[0].replace(TRAILING_PUNCTUATION, "");
      if (!address) continue;
      if (match.index > last) el.appendChild(document.createTextNode(text.slice(last, match.index)));
      el.appendChild(h("a", { href: address, rel: "noopener noreferrer" }, [address]));
      last = match.index + address.length;
      URL_IN_TEXT.lastIndex = last;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
    return el;
  }

  /** One item: its first line ("1. Mehrbedarf …") as a heading, "• " lines as a list, the rest as paragraphs. */
  function item(text) {
    var lines = String(text).split("\n");
    var section = h("section", { class: "item" }, [h("h2", { text: lines[0] })]);
    var list = null;
    lines.slice(1).forEach(function (line) {
      if (line.indexOf(BULLET) === 0) {
        if (!list) section.appendChild(list = h("ul"));
        list.appendChild(linkified("li", line.slice(BULLET.length)));
      } else if (line.trim()) {
        list = null;
        section.appendChild(linkified("p", line));
      }
    });
    return section;
  }

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  function render(page) {
    var labels = page.labels || {};
    var main = document.getElementById("list");
    document.documentElement.setAttribute("lang", text(page.lang) || "de");
    if (text(labels.title)) document.title = labels.title;
    while (main.firstChild) main.removeChild(main.firstChild);
    main.appendChild(h("h1", { text: text(page.heading) }));
    main.appendChild(h("p", { class: "note", text: text(labels.note) }));
    main.appendChild(h("p", { class: "actions" }, [
      h("button", { type: "button", onclick: function () { window.print(); } }, [text(labels.print)])
    ]));
    (Array.isArray(page.items) ? page.items : []).forEach(function (block) { main.appendChild(item(text(block))); });
    main.appendChild(h("p", { class: "limits", text: text(page.limits) }));
    shown = true;
  }

  function showMissing() {
    if (shown) return;
    var status = document.getElementById("status");
    if (status) status.textContent = body.getAttribute("data-missing") || "";
  }

  window.addEventListener("message", function (event) {
    if (shown || !window.opener || event.source !== window.opener || allowed.indexOf(event.origin) < 0) return;
    var data = event.data;
    if (!data || data.type !== "lotse-print" || !data.page || typeof data.page !== "object") return;
    render(data.page);
  });

  if (window.opener) {
    window.opener.postMessage({ type: "lotse-print-ready" }, "*");
    window.setTimeout(showMissing, WAIT_MS);
  } else {
    showMissing();
  }
})();
