// The error summary (templates/forms/error_summary.html). Without JavaScript it takes the
// focus through `autofocus` and its links jump to the fields; with it, a browser that skipped
// the autofocus still lands on it, and a link puts the cursor in its field (a jump to an
// input only scrolls there) with the field's label in view.
(() => {
  const summary = document.getElementById("error-summary");
  if (!summary) return;
  if (document.activeElement === document.body || document.activeElement === null) summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href^='#']") : null;
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    const label = field.closest(".cell, fieldset, p, .check") || field;
    label.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
