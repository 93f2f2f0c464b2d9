/* DateSpark pages: keyboard support for the ARIA tabs, and the one-time move of old localStorage progress. */
(function () {
  "use strict";

  // --- Tabs: arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern). ---
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.parentElement.querySelectorAll('[role="tab"]'));
    var index = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    else if (event.key === " ") next = tab;
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.click();
  });

  // After a swap of the coach panel, focus what the answer asks for (the reset's message or
  // its errors, marked data-focus), else keep keyboard focus on the selected tab.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "coach") {
      var wanted = document.querySelector("#coach [data-focus]");
      if (wanted) {
        wanted.focus();
        return;
      }
      var selected = document.querySelector('#coach [role="tab"][aria-selected="true"]');
      if (selected && document.activeElement === document.body) selected.focus();
    }
  });

  // --- Old localStorage flags: send once per browser, then clear them. ---
  var DONE_KEY = "datespark-legacy-imported";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function importLegacy() {
    var script = document.getElementById("legacy-keys");
    if (!script || !window.localStorage) return;
    var storage = window.localStorage;
    if (storage.getItem(DONE_KEY)) return;
    var keys = JSON.parse(script.textContent);
    var flags = {};
    var found = [];
    keys.forEach(function (key) {
      var value = storage.getItem(key);
      if (value !== null) {
        flags[key] = value;
        found.push(key);
      }
    });
    if (!found.length) {
      storage.setItem(DONE_KEY, new Date().toISOString());
      return;
    }
    fetch("/api/tool-completion/import-legacy", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ flags: flags }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("import failed: " + response.status);
        return response.json();
      })
      .then(function (body) {
        found.forEach(function (key) { storage.removeItem(key); });
        storage.setItem(DONE_KEY, new Date().toISOString());
        var anyNew = body.imported.some(function (item) { return item.wasNew; });
        if (anyNew) window.location.reload();
      })
      .catch(function () { /* keep the flags; the next page load tries again */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", importLegacy);
  else importLegacy();
})();
