// The live tip page: its own event stream says when the tip changed (a reader's message, a
// delivery tick, a consent answer, a claim by someone else) and who else is on it. On a change
// the page fetches itself and swaps only the parts marked data-live, which hold no field an
// editor types in: a reply or note being typed stays where it is (drafts.js keeps it besides).
// A part holding the focus or a playing video or voice note is swapped once it is let go.
"use strict";

const TipLive = (() => {
  const TYPING_EVERY_MS = 2500;
  let lastTyping = 0;
  let held = false;  // a part was left stale (focus, playing media): swap it once let go
  let source = null;  // the stream of the tip on screen (the board's pane changes tips)

  function token() { return document.querySelector('meta[name="csrf-token"]').content; }

  function tipOnScreen() { return document.querySelector(".tip-page").dataset.tip; }

  async function refresh() {
    // The tip without the desk's header around it (what the board's pane shows): it holds
    // every data-live part, so the page and the pane are refreshed the same way.
    const response = await fetch(`/tips/${tipOnScreen()}`, {
      headers: { accept: "text/html", "x-tipdesk-pane": "1" },
    });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    let changed = false;
    held = false;
    document.querySelectorAll("[data-live]").forEach((part) => {
      const fresh = page.querySelector(`[data-live="${part.dataset.live}"]`);
      if (!fresh || fresh.innerHTML === part.innerHTML) return;
      // Never pull a control from under a click, nor cut off a video or voice note being heard.
      if (part.contains(document.activeElement) || playing(part)) { held = true; return; }
      part.replaceWith(document.importNode(fresh, true));
      changed = true;
    });
    // What arrived while the editor looks at the page is seen (and read, for the reader's ticks).
    if (changed && document.visibilityState === "visible" && window.TipPage) window.TipPage.opened();
  }

  function playing(part) {
    return Array.from(part.querySelectorAll("video, audio")).some((media) => !media.paused);
  }

  function showPresence(event) {
    const line = document.getElementById("presence");
    if (line) line.textContent = JSON.parse(event.data).text;
  }

  function typed(event) {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return;
    const now = Date.now();
    if (now - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = now;
    fetch(`/tips/${tipOnScreen()}/typing`, { method: "POST", headers: { "x-csrf-token": token() } });
  }

  // Leaving the tip (the pane shows another, or closes) ends its stream and the presence on it.
  function stop() {
    if (source) source.close();
    source = null;
    held = false;
  }

  function start() {
    stop();
    const page = document.querySelector(".tip-page");
    if (!page || !window.EventSource) return;
    source = new EventSource(`/tips/${page.dataset.tip}/events`);
    source.addEventListener("tip", refresh);
    source.addEventListener("presence", showPresence);
    page.addEventListener("input", typed);
    const letGo = () => { if (held) setTimeout(refresh, 0); };
    page.addEventListener("focusout", letGo);
    page.addEventListener("pause", letGo, true);  // media events do not bubble: capture them
  }

  return { start, stop };
})();

document.addEventListener("DOMContentLoaded", TipLive.start);
