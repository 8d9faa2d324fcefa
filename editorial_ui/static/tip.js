// The tip page tells the desk once that an editor has it on screen, so the reader's messages
// are marked read then (a GET must change nothing; a tab opened in the background is not read).
// Keys: r to the reply, n to the note, Ctrl/Cmd+Enter sends the form being typed in, ? lists them.
"use strict";

const TIP_KEYS = {
  nl: [["r", "naar het antwoord aan de lezer"], ["n", "naar een nieuwe notitie"],
    ["Ctrl Enter", "verstuur het formulier waarin je typt (⌘ Enter op een Mac)"], ["?", "deze lijst"],
    ["Esc", "sluiten"]],
  en: [["r", "to the reply to the reader"], ["n", "to a new note"],
    ["Ctrl Enter", "send the form you are typing in (⌘ Enter on a Mac)"], ["?", "this list"],
    ["Esc", "close"]],
};

function tellOpened() {
  const page = document.querySelector(".tip-page");
  if (!page) return Promise.resolve();  // the board, its pane empty
  const token = document.querySelector('meta[name="csrf-token"]').content;
  return fetch(`/tips/${page.dataset.tip}/opened`, { method: "POST", headers: { "x-csrf-token": token } });
}

function focusField(id) {
  const field = document.getElementById(id);
  if (!field) return false;  // a merged tip or a blocked reader has no such box
  field.focus();
  field.scrollIntoView({ block: "center" });
  return true;
}

function send(event) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return false;
  const form = event.target instanceof Element && event.target.closest("form");
  if (!form) return false;
  form.requestSubmit();  // like the button: the browser's checks and submit listeners still run
  return true;
}

function tipKeys(event) {
  if (send(event)) { event.preventDefault(); return; }
  if (!Shortcuts.plain(event)) return;
  let handled = true;
  if (event.key === "r") handled = focusField("reply-text");
  else if (event.key === "n") handled = focusField("note-text");
  else if (event.key === "?") Shortcuts.help(TIP_KEYS[Shortcuts.language()]);
  else handled = false;
  if (handled) event.preventDefault();  // the r must not land in the box it opened
}

// tip_live.js: what arrived on screen is seen; panes.js: a tip opened in the board's pane.
window.TipPage = { opened: tellOpened };

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("keydown", tipKeys);
  if (!document.querySelector(".tip-page")) return;  // the board: panes.js says when
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
