// The sizes a browser test checks (sscard/testing/targets.py says which controls count and why):
// given [the smallest text in px (0: any), the smallest control in px], the visible texts and the
// controls under them, each described by tag, classes, text and size.
([minText, minTarget]) => {
  const hidden = (el) => {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return true;
    const box = el.getBoundingClientRect();
    return box.width <= 1 || box.height <= 1;
  };
  const words = /[\p{L}\p{N}]/u;
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    const cls = el.className && typeof el.className === 'string' ? '.' + el.className.split(/\s+/).join('.') : '';
    return el.tagName.toLowerCase() + cls + ' "' + text.replace(/\s+/g, ' ').slice(0, 24) + '"';
  };
  const smallTexts = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !words.test(node.textContent)) continue;
    seen.add(el);
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION'].includes(el.tagName) || hidden(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minText) smallTexts.push(describe(el) + ' ' + size + 'px');
  }
  for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')) {
    if (hidden(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minText) smallTexts.push(describe(el) + ' ' + size + 'px');
  }
  const inSentence = (el) => {
    if (el.tagName !== 'A') return false;
    const parent = el.parentElement;
    return [...parent.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && words.test(n.textContent));
  };
  const big = (el) => {
    const box = el.getBoundingClientRect();
    return box.width >= minTarget - 0.5 && box.height >= minTarget - 0.5;
  };
  const size = (el) => {
    const box = el.getBoundingClientRect();
    return Math.round(box.width) + '×' + Math.round(box.height);
  };
  const smallTargets = [];
  const fields = 'input:not([type=hidden]), select, textarea';
  for (const el of document.querySelectorAll('a[href], button, summary, [role=button], ' + fields)) {
    const byLabel = el.matches('input[type=checkbox], input[type=radio]') || (el.matches(fields) && hidden(el));
    if (byLabel) {
      // tapped through its label: one label a finger can hit is enough
      const labels = [...(el.labels || [])].filter((label) => !hidden(label));
      if (labels.length && !labels.some(big)) smallTargets.push(describe(labels[0]) + ' ' + size(labels[0]));
      continue;
    }
    if (hidden(el) || inSentence(el)) continue;
    if (!big(el)) smallTargets.push(describe(el) + ' ' + size(el));
  }
  return {texts: smallTexts, targets: smallTargets};
}
