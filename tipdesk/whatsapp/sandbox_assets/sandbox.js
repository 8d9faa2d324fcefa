// The sandbox phone: posts as a reader, polls the thread, renders bubbles. No framework.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { seen: "" };

function reader() {
  // ?from=316…&name=… opens the phone as that reader (handy for demos and for two readers).
  const query = new URLSearchParams(location.search);
  if (/^[1-9][0-9]{6,14}$/.test(query.get("from") || "")) {
    localStorage.setItem("sandbox.number", query.get("from"));
  }
  if (query.get("name")) localStorage.setItem("sandbox.name", query.get("name").slice(0, 64));
  let number = localStorage.getItem("sandbox.number");
  if (!number) {
    number = "316" + String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
    localStorage.setItem("sandbox.number", number);
  }
  return { from: number, name: localStorage.getItem("sandbox.name") || "Sandbox-lezer" };
}

function say(message) { $("status").textContent = message || ""; }

async function post(path, body) {
  const options = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new Error((data.error && data.error.message) || response.statusText);
  }
  return response.json();
}

async function send(fields) {
  try {
    say("");
    await post("/sandbox/api/send", { ...reader(), ...fields });
    await refresh();
  } catch (error) { say(error.message); }
}

function bubble(event) {
  const item = document.createElement("li");
  item.className = "bubble " + event.direction;
  if (event.media) {
    const label = document.createElement("div");
    label.className = "media";
    label.textContent = "[" + event.media + (event.filename ? ": " + event.filename : "") + "]";
    item.append(label);
  }
  if (event.text) item.append(document.createTextNode(event.text));
  if (event.buttons && event.buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const choice of event.buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.title;
      button.addEventListener("click", () => send({
        type: "button_reply", button_id: choice.id, title: choice.title, reply_to: event.id,
      }));
      row.append(button);
    }
    item.append(row);
  }
  const time = document.createElement("time");
  time.textContent = new Date(event.at * 1000).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
  item.append(time);
  return item;
}

async function refresh() {
  const response = await fetch("/sandbox/api/thread?from=" + encodeURIComponent(reader().from));
  if (!response.ok) return;
  const data = await response.json();
  $("about").textContent = data.about || "";
  const key = JSON.stringify(data.events.map((e) => e.id));
  if (key === state.seen) return;
  state.seen = key;
  $("thread").replaceChildren(...data.events.map(bubble));
  $("thread").scrollTop = $("thread").scrollHeight;
}

function setUp() {
  const me = reader();
  $("reader-name").value = me.name;
  $("reader-number").value = me.from;
  $("reader-name").addEventListener("change", (e) => localStorage.setItem("sandbox.name", e.target.value));
  $("reader-number").addEventListener("change", (e) => {
    localStorage.setItem("sandbox.number", e.target.value.replace(/\D/g, ""));
    state.seen = "";
    refresh();
  });
  $("new-reader").addEventListener("click", () => {
    localStorage.removeItem("sandbox.number");
    $("reader-number").value = reader().from;
    state.seen = "";
    refresh();
  });
  $("compose").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("text").value;
    if (!text.trim()) return;
    $("text").value = "";
    send({ type: "text", text });
  });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("compose").requestSubmit(); }
  });
  $("attach").addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = $("file").files[0];
    if (!file) { say("Kies eerst een bestand."); return; }
    const form = new FormData();
    const me = reader();
    form.append("from", me.from);
    form.append("name", me.name);
    form.append("caption", $("caption").value);
    form.append("file", file);
    try { say("Bezig met versturen…"); await post("/sandbox/api/media", form); say(""); }
    catch (error) { say(error.message); }
    $("file").value = "";
    $("caption").value = "";
    refresh();
  });
  $("place").addEventListener("submit", (e) => {
    e.preventDefault();
    send({ type: "location", latitude: $("latitude").value, longitude: $("longitude").value,
           name: $("place-name").value });
  });
  refresh();
  setInterval(refresh, 1500);
}

document.addEventListener("DOMContentLoaded", setUp);
