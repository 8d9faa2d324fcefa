// Drafts on the tip page: what an editor types in a box marked data-draft is kept in
// localStorage per tip and box, so saving another form on the page (a full reload) or reloading
// never loses it; logging out forgets them all. A draft is dropped only once the page shows it
// was sent: the server's flash text may change wording or language, but a sent reply or note
// appears in the thread or the notes.
"use strict";

const Drafts = (() => {
  function normal(text) { return text.replace(/\s+/g, " ").trim(); }

  function key(tip, name) { return `tipdesk.draft.${tip}.${name}`; }

  // How many sent items in the box's list (data-draft-shown-in) hold this text right now.
  function shown(field, text) {
    const places = document.querySelectorAll(field.dataset.draftShownIn);
    return Array.from(places).filter((place) => normal(place.textContent).includes(text)).length;
  }

  function read(name) {
    try { return JSON.parse(localStorage.getItem(name) || "null"); } catch { return null; }
  }

  function settle(field, draftKey) {
    const sending = read(`${draftKey}.sending`);
    localStorage.removeItem(`${draftKey}.sending`);
    // More copies on the page than before the submit: it went out. Fewer or the same: an error,
    // a conflict or a lost connection, and the draft stays.
    if (sending && shown(field, sending.text) > sending.shown) localStorage.removeItem(draftKey);
  }

  function keep(field, tip) {
    const draftKey = key(tip, field.dataset.draft);
    settle(field, draftKey);
    const draft = localStorage.getItem(draftKey);
    if (draft && !field.value) field.value = draft;
    field.addEventListener("input", () => {
      if (field.value.trim()) localStorage.setItem(draftKey, field.value);
      else localStorage.removeItem(draftKey);
    });
    field.form.addEventListener("submit", () => {
      const text = normal(field.value);
      if (!text) return;
      localStorage.setItem(`${draftKey}.sending`, JSON.stringify({ text, shown: shown(field, text) }));
    });
  }

  // A newsroom machine is shared: what one editor typed to a reader leaves with their session.
  function forgetAll() {
    Object.keys(localStorage).filter((name) => name.startsWith("tipdesk.draft."))
      .forEach((name) => localStorage.removeItem(name));
  }

  // The tip page's boxes, at load or each time the board's pane shows a tip (panes.js).
  function watch(page) {
    page.querySelectorAll("textarea[data-draft]").forEach((field) => keep(field, page.dataset.tip));
  }

  function start() {
    const logout = document.querySelector("form.logout");
    if (logout) logout.addEventListener("submit", forgetAll);
    const page = document.querySelector(".tip-page");
    if (page) watch(page);
  }

  return { start, watch };
})();

document.addEventListener("DOMContentLoaded", Drafts.start);
