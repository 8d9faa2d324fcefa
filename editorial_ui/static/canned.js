// Canned replies on the tip page: choosing one puts its text (variables already filled in by
// the server) into the reply box at the cursor, for the editor to edit. It never sends: readers
// and WhatsApp flag copy-pasted messages, so every reply leaves as the editor's own.
"use strict";

// One listener for the document, so a tip opened in the board's pane needs no start of its own.
document.addEventListener("change", (event) => {
  const picker = event.target;
  if (!(picker instanceof HTMLSelectElement) || !picker.matches("select.canned")) return;
  const box = document.getElementById(picker.dataset.fills);
  const text = picker.value;
  if (!box || !text) return;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.selectionStart = box.selectionEnd = start + text.length;
  box.dispatchEvent(new Event("input", { bubbles: true }));  // the draft keeps it too
  picker.value = "";
  box.focus();
});
