// Keyboard use of the back office: "/" focuses the search box; J / K move through the rows
// of a list, Enter opens the current row's first link. No inline script anywhere (CSP).
(function () {
  "use strict";
  var current = -1;
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function rows() {
    var table = document.querySelector("[data-rows]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  }
  function mark(list, index) {
    list.forEach(function (row) { row.classList.remove("is-current"); });
    if (index >= 0 && index < list.length) {
      list[index].classList.add("is-current");
      var link = list[index].querySelector("a, button");
      if (link) { link.focus(); }
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key === "j" || event.key === "k") {
      var list = rows();
      if (!list.length) { return; }
      current = Math.max(0, Math.min(list.length - 1, current + (event.key === "j" ? 1 : -1)));
      mark(list, current);
    }
  });
  document.addEventListener("htmx:afterSwap", function () { current = -1; });
})();
