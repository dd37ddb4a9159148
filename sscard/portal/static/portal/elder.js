// 长辈模式 without leaving the page: a switch (form.elder-form) posted through htmx is answered
// with the mode now chosen (the "elderMode" event of HX-Trigger); the page takes it at once and
// keeps whatever was typed into it. Without JavaScript the form posts and the page reloads.
document.addEventListener("elderMode", (event) => {
  const on = Boolean(event.detail.on);
  document.documentElement.classList.toggle("elder", on);
  for (const form of document.querySelectorAll("form.elder-form")) {
    form.querySelector("input[name=on]").value = on ? "0" : "1";
    for (const button of form.querySelectorAll("[aria-pressed]")) button.setAttribute("aria-pressed", String(on));
    for (const text of form.querySelectorAll("[data-elder-on]")) text.textContent = on ? text.dataset.elderOn : text.dataset.elderOff;
    for (const named of form.querySelectorAll("[data-elder-label-on]")) named.setAttribute("aria-label", on ? named.dataset.elderLabelOn : named.dataset.elderLabelOff);
  }
});
