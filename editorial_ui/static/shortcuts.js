// What the board and the tip page share about single-key shortcuts: which key presses are
// plain enough to be a shortcut, and the `?` list of them. Loaded before board.js and tip.js.
"use strict";

const Shortcuts = (() => {
  const TEXTS = {
    nl: { title: "Sneltoetsen", close: "Sluiten", failed: "Dat lukte niet" },
    en: { title: "Keyboard shortcuts", close: "Close", failed: "That did not work" },
  };

  function language() {
    return (document.documentElement.lang || "nl").slice(0, 2) === "en" ? "en" : "nl";
  }

  function text(name) { return TEXTS[language()][name]; }

  // Ctrl+C copies and Cmd+R reloads: a key held with a modifier is never one of ours.
  // Shift stays allowed, since `?` needs it on most keyboards.
  function plain(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return false;
    if (event.defaultPrevented) return false;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
      return false;
    }
    return !document.querySelector("dialog.shortcuts[open]");
  }

  // rows: [[keys, what they do], …] in the page's language.
  function help(rows) {
    let dialog = document.querySelector("dialog.shortcuts");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "shortcuts";
      dialog.setAttribute("aria-labelledby", "shortcuts-title");
      const title = document.createElement("h2");
      title.id = "shortcuts-title";
      title.textContent = text("title");
      const list = document.createElement("dl");
      for (const [keys, meaning] of rows) {
        const term = document.createElement("dt");
        keys.split(" ").forEach((key) => {
          const kbd = document.createElement("kbd");
          kbd.textContent = key;
          term.append(kbd, " ");
        });
        const detail = document.createElement("dd");
        detail.textContent = meaning;
        list.append(term, detail);
      }
      const form = document.createElement("form");
      form.method = "dialog";
      const close = document.createElement("button");
      close.textContent = text("close");
      form.append(close);
      dialog.append(title, list, form);
      document.body.append(dialog);
    }
    // A modal dialog closes itself on Escape and gives the focus back where it was.
    if (!dialog.open) dialog.showModal();
  }

  // A message in the page where the editor looks, instead of a native alert() that blocks it.
  function say(message, before) {
    let box = document.getElementById("shortcut-message");
    if (!box) {
      box = document.createElement("p");
      box.id = "shortcut-message";
      box.className = "notice alert";
      box.setAttribute("role", "alert");
      before.before(box);
    }
    box.textContent = message || text("failed");
    box.hidden = false;
  }

  function quiet() {
    const box = document.getElementById("shortcut-message");
    if (box) box.hidden = true;
  }

  return { plain, help, say, quiet, language };
})();
