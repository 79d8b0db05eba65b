// The warning before an idle session ends (WCAG 2.2.1 Timing Adjustable).
//
// The server ends a session SESSION_COOKIE_AGE seconds after its last
// request. This page counts from the last activity of any of the person's
// tabs (shared through localStorage), opens the dialog a little before the
// end, and "Stay logged in" makes a request that starts the time again.
// When the time has run out, the dialog says so and keeps the page as it is,
// so that what was typed can be copied.
(function () {
  "use strict";
  const dialog = document.getElementById("session-warning");
  if (!dialog || typeof dialog.showModal !== "function") return;

  const KEY = "samspill:last-activity";
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warn = Number(dialog.dataset.warnSeconds) * 1000;
  const warning = dialog.querySelector('[data-state="warning"]');
  const expired = dialog.querySelector('[data-state="expired"]');
  let lastActivity = Date.now();
  let hasExpired = false;

  function remember(moment) {
    lastActivity = Math.max(lastActivity, moment);
    try {
      localStorage.setItem(KEY, String(lastActivity));
    } catch (error) {
      // Storage may be off; this tab still counts its own activity.
    }
  }

  function latest() {
    let shared = 0;
    try {
      shared = Number(localStorage.getItem(KEY)) || 0;
    } catch (error) {
      shared = 0;
    }
    return Math.max(lastActivity, shared);
  }

  function show(state) {
    const isExpired = state === "expired";
    warning.hidden = isExpired;
    expired.hidden = !isExpired;
    dialog.setAttribute("aria-labelledby", isExpired ? "session-expired-title" : "session-warning-title");
    dialog.setAttribute("aria-describedby", isExpired ? "session-expired-text" : "session-warning-text");
    if (!dialog.open) dialog.showModal();
    const first = (isExpired ? expired : warning).querySelector("a, button");
    if (first) first.focus();
  }

  function check() {
    if (hasExpired) return;
    const left = latest() + idle - Date.now();
    if (left <= 0) {
      hasExpired = true;
      show("expired");
    } else if (left <= warn) {
      if (!dialog.open) show("warning");
    } else if (dialog.open) {
      dialog.close(); // another tab kept the session alive
    }
  }

  async function extend() {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    let response = null;
    try {
      response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: headers,
        credentials: "same-origin",
      });
    } catch (error) {
      response = null;
    }
    if (response && response.status === 204) {
      remember(Date.now());
      dialog.close();
    } else {
      hasExpired = true;
      show("expired");
    }
  }

  dialog.addEventListener("click", function (event) {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    if (action.dataset.action === "extend") extend();
    if (action.dataset.action === "close") dialog.close();
  });
  // Escape closes a modal dialog; while the session is alive that means
  // "stay logged in", as a person closing the warning would expect.
  dialog.addEventListener("cancel", function (event) {
    if (!hasExpired) {
      event.preventDefault();
      extend();
    }
  });
  // Requests htmx makes also keep the session alive.
  document.body.addEventListener("htmx:afterRequest", function () {
    remember(Date.now());
  });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) check();
  });
  remember(lastActivity);
  setInterval(check, 1000);
})();
