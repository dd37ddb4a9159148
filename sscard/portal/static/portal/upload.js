// 选择文件: with JavaScript the browser's own file control (worded in the browser's language)
// gives way to a styled button and a line saying what was chosen; without it, the native
// control stays and works as it is.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const chosen = input.closest(".cell-upload")?.querySelector(".file-name");
  if (chosen) chosen.textContent = input.files.length ? `已选择：${input.files[0].name}` : "未选择文件";
});
