// Two panes on a wide screen: a tip opened from the board (a click, or j/k and Enter) loads into
// the pane beside the list instead of replacing it, and the address becomes the tip's own, so
// it can be shared and Back closes it again. The pane is the tip page without the desk's header
// (the x-tipdesk-pane request header); its forms are sent by fetch and it shows the answer.
// Phones and tablets, and browsers without this script, open the tip's own page as before.
"use strict";

const Panes = (() => {
  const WIDE = window.matchMedia("(min-width: 1200px)");
  const TIP_PATH = /^\/tips\/(\d+)$/;
  const HEADERS = { accept: "text/html", "x-tipdesk-pane": "1" };
  let shown = null;  // the tip in the pane, as its id
  let empty = "";  // what the pane says before a tip is opened

  function pane() { return document.getElementById("tip-pane"); }

  function tipAt(href) {
    const url = new URL(href, location.href);
    const found = url.origin === location.origin && TIP_PATH.exec(url.pathname);
    return found ? found[1] : null;
  }

  async function open(tip, history) {
    const again = history === "push" && tip === shown;  // one entry per tip opened, not per Enter
    put(await fetch(`/tips/${tip}`, { headers: HEADERS }), again ? "replace" : history);
  }

  // A form in the pane: sent as the browser would, the answer (the 303's tip) in the pane.
  async function send(form, submitter) {
    const body = new URLSearchParams(new FormData(form, submitter));
    const response = await fetch(form.action, { method: "POST", headers: HEADERS, body });
    const tip = tipAt(response.url);
    await put(response, tip === shown ? "replace" : "push");
    pane().focus({ preventScroll: true });  // the form sent is gone: the answer is on top
  }

  async function put(response, history) {
    const tip = tipAt(response.url);
    if (!tip) { location.assign(response.url); return; }  // the login page: the whole window
    const html = await response.text();
    const fragment = response.headers.get("x-tipdesk-pane") === "1";
    // An error page (404, 403) is shown in the pane by its main part, in the desk's style.
    const main = fragment ? html : new DOMParser().parseFromString(html, "text/html").querySelector("main");
    pane().innerHTML = fragment ? html : (main ? main.innerHTML : "");  // scripts in it never run
    pane().scrollTop = 0;
    shown = fragment ? tip : null;
    if (history === "push") window.history.pushState({ tip }, "", `/tips/${tip}`);
    else if (history === "replace") window.history.replaceState({ tip }, "", `/tips/${tip}`);
    if (window.Board) window.Board.select(tip);
    started();
  }

  // What the tip page's own scripts do at load: drafts, the live stream, "read" once on screen.
  function started() {
    const page = pane().querySelector(".tip-page");
    if (!page) { TipLive.stop(); return; }
    Drafts.watch(page);
    TipLive.start();
    if (document.visibilityState === "visible") {
      TipPage.opened().then(() => window.Board && window.Board.refresh());  // unread marker off
    }
  }

  function close() {
    shown = null;
    TipLive.stop();
    pane().innerHTML = empty;
  }

  function onClick(event) {
    if (!WIDE.matches || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;  // a new tab
    const link = event.target instanceof Element && event.target.closest("a[href]");
    // A photo's #photo-… opens its lightbox in place; a new-tab link stays one.
    if (!link || link.target || link.hash || !link.closest(".tips, #tip-pane")) return;
    const tip = tipAt(link.href);
    if (!tip) return;
    event.preventDefault();
    open(tip, "push");
  }

  function onSubmit(event) {
    const form = event.target;
    if (event.defaultPrevented || !pane().contains(form) || form.method !== "post") return;
    event.preventDefault();
    send(form, event.submitter);
  }

  // Back and Forward: the address says which tip the pane shows, or the list alone. A photo's
  // lightbox (#photo-…) changes only the fragment and leaves the pane as it is.
  function onHistory() {
    const tip = tipAt(location.pathname);
    if (tip && tip !== shown) open(tip, "none");
    else if (!tip && location.pathname + location.search === window.Board.url) close();
    else if (!tip) location.reload();
  }

  // A window made narrow with a tip open becomes that tip's own page; made wide, the pane shows.
  function onResize() {
    if (!WIDE.matches && shown) location.reload();
    pane().hidden = !WIDE.matches;
  }

  function start() {
    if (!pane()) return;
    empty = pane().innerHTML;
    pane().hidden = !WIDE.matches;
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit);
    window.addEventListener("popstate", onHistory);
    WIDE.addEventListener("change", onResize);
  }

  return { start };
})();

document.addEventListener("DOMContentLoaded", Panes.start);
