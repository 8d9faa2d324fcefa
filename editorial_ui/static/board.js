// The live board: server-sent events refresh the list; j/k move, enter opens, c claims, x ticks
// for a bulk action, / searches, ? lists the keys. The selection is a tip id, not a position: a live update may put a new tip on
// top, and `c` must still claim the tip the editor is looking at.
"use strict";

const BOARD_TEXTS = {
  nl: {
    keys: [["j k", "volgende / vorige tip"], ["Enter", "open de tip"], ["c", "claim de tip"],
      ["x", "selecteer de tip voor een bulkactie"], ["/", "zoeken"], ["?", "deze lijst"], ["Esc", "sluiten"]],
    conflict: "Niet geclaimd: een andere redacteur heeft deze tip al.",
    failed: "Claimen lukte niet.",
  },
  en: {
    keys: [["j k", "next / previous tip"], ["Enter", "open the tip"], ["c", "claim the tip"],
      ["x", "select the tip for a bulk action"], ["/", "search"], ["?", "this list"], ["Esc", "close"]],
    conflict: "Not claimed: another editor already holds this tip.",
    failed: "The claim did not work.",
  },
};

let selectedTip = null;
// The list's own address: with a tip open in the wide screen's pane the URL is that tip's.
const BOARD_URL = location.pathname + location.search;

function boardText(name) { return BOARD_TEXTS[Shortcuts.language()][name]; }

function rows() { return Array.from(document.querySelectorAll(".tips .tip")); }

function selectedRow() {
  return rows().find((row) => row.dataset.tip === selectedTip) || null;
}

function show(row, focus) {
  rows().forEach((each) => each.classList.toggle("selected", each === row));
  if (!row) return;
  row.scrollIntoView({ block: "nearest" });
  const link = row.querySelector("a");
  if (link && focus) link.focus();
}

function move(step) {
  const all = rows();
  if (!all.length) return;
  const at = all.indexOf(selectedRow());
  const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(at + step, all.length - 1));
  selectedTip = all[next].dataset.tip;
  Shortcuts.quiet();  // a conflict message was about the tip the editor just left
  show(all[next], true);
}

async function refresh() {
  const response = await fetch(BOARD_URL, { headers: { accept: "text/html" } });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector(".tips");
  const count = page.querySelector(".count");
  const list = document.querySelector(".tips");
  // Take the focus back only from the list itself: never out of the search box or a filter.
  const focusInList = list && list.contains(document.activeElement);
  // Ticked tips stay ticked across a refresh: the editor is choosing them for a bulk action.
  const picked = new Set(Array.from(document.querySelectorAll(".tips .pick:checked"), (box) => box.value));
  if (fresh && list) list.replaceWith(fresh);
  fresh && fresh.querySelectorAll(".pick").forEach((box) => { box.checked = picked.has(box.value); });
  if (count) document.querySelector(".count").replaceWith(count);
  document.title = page.title;  // "(3) Desk": how many tips hold a reader's words this editor has not seen
  const views = page.querySelector(".views ul");  // the views' counts, live
  if (views && document.querySelector(".views ul")) document.querySelector(".views ul").replaceWith(views);
  const row = selectedRow();
  if (!row) selectedTip = null;  // gone from this view: `c` claims nothing rather than a neighbour
  show(row, focusInList);
}

async function claimSelected() {
  const row = selectedRow();
  if (!row) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(`/api/v1/tips/${row.dataset.tip}/claim`, {
    method: "POST", headers: { "x-csrf-token": token },
  });
  if (response.ok) Shortcuts.quiet();
  // The API's message is English for scripts: the editor reads the board's own words.
  else Shortcuts.say(boardText(response.status === 409 ? "conflict" : "failed"), document.querySelector(".count"));
  refresh();
}

// `x` ticks or clears the selected tip's box for the bulk form.
function pick(row) {
  const box = row.querySelector(".pick");
  if (box) box.checked = !box.checked;
}

// Enter on a focused link or button is that control's own: the selection does not take it over.
function onControl(event) {
  return event.target instanceof Element && Boolean(event.target.closest("a, button"));
}

function keys(event) {
  if (!Shortcuts.plain(event)) return;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "Enter" && selectedRow() && !onControl(event)) selectedRow().querySelector("a").click();
  else if (event.key === "c") claimSelected();
  else if (event.key === "x" && selectedRow()) pick(selectedRow());
  else if (event.key === "/") document.getElementById("q").focus();
  else if (event.key === "?") Shortcuts.help(boardText("keys"));
  else return;
  event.preventDefault();
}

// panes.js: the tip opened in the pane is the selected one; the list refreshed once it is seen.
window.Board = {
  url: BOARD_URL,
  select(tip) { selectedTip = tip; show(selectedRow(), false); },
  refresh,
};

// Browser notifications, if the editor switched them on: a reader wrote on a tip they hold
// while the desk's tab is out of sight (in sight, the board's unread marker says it).
function notifyOfReader(event) {
  const button = document.getElementById("notify");
  const data = JSON.parse(event.data || "{}");
  if (!button || !data.message || String(data.claimed) !== button.dataset.editor) return;
  if (!window.Notification || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible") return;
  const note = new Notification(button.dataset.title, {
    body: button.dataset.body.replace("{tip}", data.id), tag: `tipdesk-tip-${data.id}`,
  });
  note.onclick = () => { window.focus(); location.href = `/tips/${data.id}`; };
}

function offerNotifications() {
  const button = document.getElementById("notify");
  if (!button || !window.Notification || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await Notification.requestPermission();  // a browser asks only after a click
    button.hidden = Notification.permission !== "default";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("keydown", keys);
  offerNotifications();
  if (window.EventSource) {
    const source = new EventSource("/board/events");
    source.addEventListener("tip", refresh);
    source.addEventListener("tip", notifyOfReader);
  }
});

// Select all: ticks or clears every tip on the board for the bulk form.
document.addEventListener("change", (event) => {
  if (!event.target.matches(".bulk .select-all")) return;
  document.querySelectorAll(".tips .pick").forEach((box) => { box.checked = event.target.checked; });
});

// The search form's URL names only what was chosen (`/board?q=molens&status=new`), so a shared
// link reads as what it shows; empty filters are left out.
document.addEventListener("formdata", (event) => {
  if (!event.target.matches("form.search")) return;
  for (const [name, value] of Array.from(event.formData)) {
    if (value === "") event.formData.delete(name);
  }
});
