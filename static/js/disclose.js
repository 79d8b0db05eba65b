// Rows that open to show more: a button with aria-controls naming a hidden
// row. The first opening loads the row's content with htmx from the
// button's data-url (the same address the link beside it opens as a page
// of its own, which is what a browser without JavaScript uses).
(function () {
  "use strict";
  const buttons = document.querySelectorAll("button.disclose[aria-controls]");
  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const row = document.getElementById(button.getAttribute("aria-controls"));
      if (!row) return;
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      row.hidden = !open;
      const slot = row.querySelector(".group-slot");
      if (open && slot && !row.dataset.loaded && window.htmx) {
        row.dataset.loaded = "true";
        window.htmx.ajax("GET", button.dataset.url, { target: slot, swap: "innerHTML" });
      }
    });
  });
})();
