// The live board: server-sent events refresh the list; j/k move, enter opens, c claims, / searches.
"use strict";

let selected = -1;

function rows() { return Array.from(document.querySelectorAll(".tips .tip")); }

function select(index) {
  const all = rows();
  if (!all.length) return;
  selected = Math.max(0, Math.min(index, all.length - 1));
  all.forEach((row, i) => row.classList.toggle("selected", i === selected));
  all[selected].scrollIntoView({ block: "nearest" });
  const link = all[selected].querySelector("a");
  if (link) link.focus();
}

async function refresh() {
  const response = await fetch(location.pathname + location.search, { headers: { accept: "text/html" } });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector(".tips");
  const count = page.querySelector(".count");
  if (fresh) document.querySelector(".tips").replaceWith(fresh);
  if (count) document.querySelector(".count").replaceWith(count);
  if (selected >= 0) select(selected);
}

async function claimSelected() {
  const row = rows()[selected];
  if (!row) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(`/api/v1/tips/${row.dataset.tip}/claim`, {
    method: "POST", headers: { "x-csrf-token": token },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    alert((data.error && data.error.message) || "Claimen lukte niet");
  }
  refresh();
}

function keys(event) {
  if (event.target.matches("input, textarea, select")) return;
  if (event.key === "j") select(selected + 1);
  else if (event.key === "k") select(selected - 1);
  else if (event.key === "Enter" && selected >= 0) rows()[selected].querySelector("a").click();
  else if (event.key === "c") claimSelected();
  else if (event.key === "/") { event.preventDefault(); document.getElementById("q").focus(); }
  else return;
  event.preventDefault();
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("keydown", keys);
  if (window.EventSource) {
    const source = new EventSource("/board/events");
    source.addEventListener("tip", refresh);
  }
});
