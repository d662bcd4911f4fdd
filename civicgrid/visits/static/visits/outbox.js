// The phone's outbox for visit forms: a form sent with a bad connection is kept on the device
// (IndexedDB, photos included) and sent when the connection returns (the "online" event, and the
// next visits page opened). Each form carries a client-made idempotency key, so the server keeps
// exactly one visit however often it is sent.
(function () {
  "use strict";

  var DB_NAME = "civicgrid-visits";
  var STORE = "outbox";
  var HEADER = "X-Visit-Client";
  var flushing = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("no IndexedDB"));
        return;
      }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function allItems() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function putItem(item) { return withStore("readwrite", function (s) { s.put(item); }); }
  function deleteItem(key) { return withStore("readwrite", function (s) { s["delete"](key); }); }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // --- what the worker sees

  var sentKeys = {};

  function box() { return document.getElementById("outbox"); }

  function render() {
    var el = box();
    if (!el) { return Promise.resolve(); }
    return allItems().then(function (items) {
      var list = el.querySelector("#outbox-items");
      list.textContent = "";
      items.sort(function (a, b) { return a.savedAt < b.savedAt ? -1 : 1; });
      items.forEach(function (item) { list.appendChild(row(el, item, item.state === "refused" ? "refused" : "saved")); });
      Object.keys(sentKeys).forEach(function (key) { list.appendChild(row(el, sentKeys[key], "sent")); });
      el.classList.toggle("hidden", list.children.length === 0);
    }).catch(function () { /* no IndexedDB here: nothing can wait on this phone */ });
  }

  function row(el, item, state) {
    var li = document.createElement("li");
    li.className = state;
    li.setAttribute("data-key", item.key);
    li.setAttribute("data-state", state);
    var what = document.createElement("span");
    what.className = "what";
    what.textContent = item.label + " · " + item.visitedOn;
    var status = document.createElement("span");
    status.className = "badge" + (state === "sent" ? " ok" : state === "refused" ? " overdue" : " soon");
    status.textContent = el.getAttribute("data-" + state);
    li.appendChild(what);
    li.appendChild(status);
    if (state === "refused") {
      var why = document.createElement("span");
      why.className = "small error";
      why.textContent = item.message || "";
      li.appendChild(why);
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "js-outbox-discard";
      discard.textContent = el.getAttribute("data-discard");
      li.appendChild(discard);
    }
    return li;
  }

  // --- keeping a form, and sending it

  function keep(form) {
    var fields = [];
    var files = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      if (value instanceof Blob) {
        if (value.size > 0) { files.push([name, value, value.name || "photo"]); }
      } else {
        fields.push([name, value]);
      }
    });
    var get = function (n) { var f = fields.filter(function (p) { return p[0] === n; })[0]; return f ? f[1] : ""; };
    return putItem({
      key: get("idempotency_key"),
      url: form.getAttribute("action") || window.location.pathname + window.location.search,
      label: form.getAttribute("data-household-label") || "",
      visitedOn: get("visited_on"),
      savedAt: new Date().toISOString(),
      fields: fields,
      files: files,
      state: "waiting",
      message: ""
    });
  }

  function body(item) {
    var data = new FormData();
    item.fields.forEach(function (p) { data.append(p[0], p[1]); });
    item.files.forEach(function (f) { data.append(f[0], f[1], f[2]); });
    return data;
  }

  function post(url, data, client) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json", [HEADER]: client }
    });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function errorText(payload) {
    var errors = (payload && payload.errors) || {};
    return Object.keys(errors).map(function (k) {
      return errors[k].map(function (e) { return e.message; }).join(" ");
    }).join(" ");
  }

  function sendOne(item) {
    return post(item.url, body(item), "outbox").then(function (response) {
      if (!isJson(response)) {
        throw new Error("not sent"); // a login page or a proxy's error: try again later
      }
      return response.json().then(function (payload) {
        if (response.ok) {
          sentKeys[item.key] = item;
          return deleteItem(item.key);
        }
        if (response.status >= 500) { throw new Error("server"); }
        item.state = "refused";
        item.message = errorText(payload) || String(response.status);
        return putItem(item);
      });
    });
  }

  function flush() {
    if (flushing || navigator.onLine === false) { return Promise.resolve(); }
    flushing = true;
    return allItems().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      return waiting.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); });
      }, Promise.resolve());
    }).catch(function () { /* offline again: the rest waits for the next chance */ })
      .then(function () { flushing = false; return render(); });
  }

  function saved(form, status) {
    var key = form.querySelector("input[name=idempotency_key]");
    form.reset();
    if (key) { key.value = newKey(); }
    status.textContent = box() ? box().getAttribute("data-saved") : "";
    render();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-visit-form") || !window.fetch) { return; }
    event.preventDefault();
    var status = document.getElementById("visit-form-status") || document.createElement("p");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var done = function () { if (button) { button.disabled = false; } };
    var offline = function () {
      return keep(form).then(function () { saved(form, status); }, function () {
        HTMLFormElement.prototype.submit.call(form); // no storage on this device: an ordinary post
      }).then(done);
    };
    if (navigator.onLine === false) {
      offline();
      return;
    }
    post(form.getAttribute("action") || window.location.href, new FormData(form), "now").then(function (response) {
      if (response.ok && isJson(response)) {
        return response.json().then(function (payload) { window.location.assign(payload.next || payload.url); });
      }
      if (response.status >= 500) { return offline(); }
      // Bad input (or no longer allowed): show the server's page with its messages, as it answered
      // this very post (sending the form again would post it twice).
      done();
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("main");
        var here = document.querySelector("main");
        if (!fresh || !here) { HTMLFormElement.prototype.submit.call(form); return; }
        here.replaceWith(document.adoptNode(fresh));
        if (page.title) { document.title = page.title; }
        var problem = document.querySelector(".errorlist, .error, [role=alert]");
        (problem || document.querySelector("main")).scrollIntoView({ block: "center" });
        render();
      });
    }, offline);
  });

  document.addEventListener("click", function (event) {
    var button = event.target;
    if (!button.classList || !button.classList.contains("js-outbox-discard")) { return; }
    var li = button.closest("li");
    deleteItem(li.getAttribute("data-key")).then(render);
  });

  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () { render().then(flush); });
})();
