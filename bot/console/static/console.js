// Lien console: live queue and live conversation, by polling the JSON API.
// Everything a person wrote is inserted as text (textContent), never as HTML.
// The words come from the page (templates are the wording files), not from here.
"use strict";

function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function waiting(seconds) {
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min";
  const minutes = Math.floor((seconds % 3600) / 60);
  return Math.floor(seconds / 3600) + " h " + String(minutes).padStart(2, "0");
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

async function refreshQueue(table) {
  const labels = document.getElementById("labels");
  const levels = JSON.parse(labels.dataset.levels || "{}");
  const categories = JSON.parse(labels.dataset.categories || "{}");
  const steps = JSON.parse(labels.dataset.steps || "{}");
  const ladder = JSON.parse(labels.dataset.ladder || "{}");
  const response = await fetch(table.dataset.live, {credentials: "same-origin",
                                                    headers: {"Accept": "application/json"}});
  if (response.status === 401) { window.location = "/login?next=/queue"; return; }
  if (!response.ok) return;
  const data = await response.json();
  const body = document.createElement("tbody");
  for (const c of data.cases) {
    const tr = document.createElement("tr");
    tr.className = "level-" + c.level;
    tr.dataset.case = c.id;
    cell(tr, levels[c.level] || c.level);
    cell(tr, categories[c.category] || c.category);
    if (c.ladder_status) {  // no news: the step the ladder reached, and whom it asked
      const active = c.ladder_status === "open" || c.ladder_status === "escalated";
      tr.lastChild.textContent += " · " + (active ? steps[c.ladder_step] || c.ladder_step
                                                  : ladder[c.ladder_status] || c.ladder_status);
    }
    if (c.checking && c.checking.length) {
      tr.lastChild.textContent += " · " + labels.dataset.asked + c.checking.join(", ");
    }
    cell(tr, waiting(c.waiting_seconds));
    cell(tr, c.channel);
    cell(tr, c.first_name || "—");
    cell(tr, c.contact);
    cell(tr, c.status === "claimed" ? labels.dataset.claimedBy + c.claimed_by
                                     : labels.dataset.waiting);
    const link = document.createElement("a");
    link.href = "/cases/" + encodeURIComponent(c.id);
    link.textContent = labels.dataset.open;
    cell(tr, "").appendChild(link);
    body.appendChild(tr);
  }
  if (!data.cases.length) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    cell(tr, labels.dataset.empty).colSpan = 8;
    body.appendChild(tr);
  }
  table.replaceChild(body, table.tBodies[0]);
}

async function refreshConversation(list) {
  const url = list.dataset.live + "?after=" + encodeURIComponent(list.dataset.after);
  const response = await fetch(url, {credentials: "same-origin"});
  if (!response.ok) return;
  const data = await response.json();
  for (const m of data.messages) {
    list.dataset.after = m.id;
    if (m.from !== "person") continue;  // the listener's own replies come back by redirect
    const li = document.createElement("li");
    li.className = "from-person live";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = list.dataset.person;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = m.text;
    li.append(who, " ", text);
    list.appendChild(li);
  }
}

function every(seconds, work) {
  const run = () => work().catch(() => {}).finally(() => setTimeout(run, seconds * 1000));
  setTimeout(run, seconds * 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const queue = document.getElementById("queue");
  if (queue) every(2, () => refreshQueue(queue));
  const transcript = document.getElementById("transcript");
  if (transcript) every(1.5, () => refreshConversation(transcript));
  for (const form of document.querySelectorAll("form.danger")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
