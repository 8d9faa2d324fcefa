// The tip page tells the desk once that an editor has it on screen, so the reader's messages
// are marked read then (a GET must change nothing; a tab opened in the background is not read).
"use strict";

function tellOpened() {
  const tip = document.querySelector(".tip-page").dataset.tip;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  fetch(`/tips/${tip}/opened`, { method: "POST", headers: { "x-csrf-token": token } });
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.visibilityState === "visible") {
    tellOpened();
    return;
  }
  const onVisible = () => {
    if (document.visibilityState !== "visible") return;
    document.removeEventListener("visibilitychange", onVisible);
    tellOpened();
  };
  document.addEventListener("visibilitychange", onVisible);
});
