// Regions that open in place: a link (data-controls naming a hidden row)
// to the region's own page becomes, with JavaScript, a control that shows
// the row and loads the region's parties into it with htmx the first time.
// Without JavaScript the link opens the same parties as a page of its own.
(function () {
  "use strict";
  document.querySelectorAll("a.disclose[data-controls]").forEach(function (link) {
    const row = document.getElementById(link.dataset.controls);
    if (!row) return;
    link.setAttribute("aria-controls", row.id);
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const open = link.getAttribute("aria-expanded") !== "true";
      link.setAttribute("aria-expanded", String(open));
      row.hidden = !open;
      const slot = row.querySelector(".group-slot");
      if (open && slot && !row.dataset.loaded && window.htmx) {
        row.dataset.loaded = "true";
        window.htmx.ajax("GET", link.getAttribute("href"), { target: slot, swap: "innerHTML" });
      }
    });
  });
})();
