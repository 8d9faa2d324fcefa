// Drafts on the tip page: what an editor types in a box marked data-draft is kept in
// localStorage per tip and box, so saving another form on the page (a full reload) or reloading
// never loses it; logging out forgets them all. A draft is dropped only once the page shows it
// was sent: the server's flash text may change wording or language, but a sent reply or note
// appears in the thread or the notes. A draft untouched for a week is dropped: a reply typed to
// a reader long ago is no longer what anyone means to send.
"use strict";

const Drafts = (() => {
  function normal(text) { return text.replace(/\s+/g, " ").trim(); }

  const PREFIX = "tipdesk.draft.";
  const KEPT_MS = 7 * 24 * 3600 * 1000;

  function key(tip, name) { return `${PREFIX}${tip}.${name}`; }

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

  // A draft is {text, at}; a bare string was written before drafts had a time.
  function draftText(draftKey) {
    const draft = read(draftKey);
    return draft && typeof draft.text === "string" ? draft.text : localStorage.getItem(draftKey);
  }

  function keep(field, tip) {
    const draftKey = key(tip, field.dataset.draft);
    settle(field, draftKey);
    const draft = draftText(draftKey);
    if (draft && !field.value) field.value = draft;
    field.addEventListener("input", () => {
      if (field.value.trim()) {
        localStorage.setItem(draftKey, JSON.stringify({ text: field.value, at: Date.now() }));
      } else localStorage.removeItem(draftKey);
    });
    field.form.addEventListener("submit", () => {
      const text = normal(field.value);
      if (!text) return;
      localStorage.setItem(`${draftKey}.sending`, JSON.stringify({ text, shown: shown(field, text) }));
    });
  }

  // A newsroom machine is shared: what one editor typed to a reader leaves with their session.
  function forgetAll() {
    Object.keys(localStorage).filter((name) => name.startsWith(PREFIX))
      .forEach((name) => localStorage.removeItem(name));
  }

  // On every page, so drafts of tips never opened again do not stay forever either.
  function forgetOld() {
    const oldest = Date.now() - KEPT_MS;
    Object.keys(localStorage).filter((name) => name.startsWith(PREFIX)).forEach((name) => {
      const draft = read(name);
      const at = draft && typeof draft.at === "number" ? draft.at : null;
      if (at !== null && at < oldest) {
        localStorage.removeItem(name);
        localStorage.removeItem(`${name}.sending`);
      }
    });
  }

  // The tip page's boxes, at load or each time the board's pane shows a tip (panes.js).
  function watch(page) {
    page.querySelectorAll("textarea[data-draft]").forEach((field) => keep(field, page.dataset.tip));
  }

  function start() {
    forgetOld();
    const logout = document.querySelector("form.logout");
    if (logout) logout.addEventListener("submit", forgetAll);
    const page = document.querySelector(".tip-page");
    if (page) watch(page);
  }

  return { start, watch };
})();

document.addEventListener("DOMContentLoaded", Drafts.start);
