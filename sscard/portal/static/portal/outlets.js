// 领卡网点 follows 合作银行: an outlet hands over its own bank's cards only, so the list shows
// the chosen bank's outlets (and forgets an outlet of another bank). Without JavaScript the
// page lists them grouped by bank, and the server refuses a mismatch beside the field.
(() => {
  const bank = document.getElementById("f-bank");
  const outlet = document.getElementById("f-outlet");
  if (!bank || !outlet) return;
  const follow = () => {
    for (const group of outlet.querySelectorAll("optgroup[data-bank]")) {
      const other = Boolean(bank.value) && group.dataset.bank !== bank.value;
      group.hidden = other;
      group.disabled = other;
    }
    const chosen = outlet.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) outlet.value = "";
  };
  bank.addEventListener("change", follow);
  follow();
})();
