// Canned replies on the tip page: choosing one puts its text (variables already filled in by
// the server) into the reply box at the cursor, for the editor to edit. It never sends: readers
// and WhatsApp flag copy-pasted messages, so every reply leaves as the editor's own.
"use strict";

document.querySelectorAll("select.canned").forEach((picker) => {
  const box = document.getElementById(picker.dataset.fills);
  if (!box) return;
  picker.addEventListener("change", () => {
    const text = picker.value;
    if (!text) return;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + text.length;
    box.dispatchEvent(new Event("input", { bubbles: true }));  // the draft keeps it too
    picker.value = "";
    box.focus();
  });
});
