// Keyboard use of the back office: "/" focuses the search box; J / K move through the rows
// of a list, Enter opens the current row's first link. No inline script anywhere (CSP).
// Single keys only act outside form fields, and the 单键快捷键 switch in the bar turns them off
// (WCAG 2.1.4, for speech input and for a key pressed by mistake); the choice is kept in this
// browser's localStorage.
(function () {
  "use strict";
  var STORE = "sscard.staff.shortcuts";
  var current = -1;
  var enabled = readEnabled();
  function readEnabled() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }
  function keepEnabled(on) {
    try {
      if (on) { window.localStorage.removeItem(STORE); } else { window.localStorage.setItem(STORE, "off"); }
    } catch (e) { /* storage refused (private mode): the choice lasts for this page */ }
  }
  function showSwitch() {
    var button = document.querySelector("[data-shortcuts]");
    if (!button) { return; }
    button.hidden = false;
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    var state = button.querySelector("[data-shortcuts-state]");
    if (state) { state.textContent = enabled ? "：开" : "：关"; }
  }
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
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts]")) {
      enabled = !enabled;
      keepEnabled(enabled);
      showSwitch();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!enabled || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
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
  showSwitch();
})();
