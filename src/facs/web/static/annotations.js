/* A coder's annotations: load, save (whole list or merged changes), conflicts; the event table. */
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { bareCode, eventLabel, fields, plain } from "./events.js";
import { baseUrl, coder, player, saveStatus, state } from "./state.js";
import { draw, tick } from "./timeline.js";

const CODER = /^[A-Za-z0-9_-]{1,64}$/;

/* The coders who saved annotations of the video, offered in the coder field. */
export function showCoders(coders) {
  $("#coder-list").replaceChildren(...coders.map((c) => el("option", { value: c.coder }, `revision ${c.revision}`)));
}

export async function loadAnnotations(ask) {
  if (!state.video || !state.frames) return;
  if (ask && state.dirty && !confirm("Discard unsaved changes to the annotations?")) return;
  const name = coder();
  if (!CODER.test(name)) { saveStatus("Coder name: letters, digits, _ and - only.", "error"); return; }
  const token = (state._loading = (state._loading || 0) + 1);  // only the latest load counts
  let ann, events;
  try {
    ann = await api(baseUrl() + "/annotations/" + encodeURIComponent(name));
    state.machine = await api(baseUrl() + "/events");
    events = ann.saved ? ann.events : state.machine;
  } catch (e) { if (token === state._loading) saveStatus(e.message, "error"); return; }
  if (token !== state._loading) return;
  state.saved = ann.saved;
  state.revision = ann.revision;
  state.events = events.map((e) => ({ ...e }));
  saveStatus(ann.saved ? `Loaded ${name}'s annotations (revision ${ann.revision}).`
    : `Machine events: not saved yet as ${name}.`);
  rebase();
  $("#export-csv").href = baseUrl() + "/annotations/" + encodeURIComponent(name) + ".csv";
  $("#export-eaf").href = baseUrl() + "/annotations/" + encodeURIComponent(name) + ".eaf";
  state.selected = -1;
  table();
  tick();
}

/* The events on show are now the stored ones: nothing to save, nothing to undo. */
function rebase() {
  state.base = new Map(state.events.filter((e) => e.id !== undefined).map((e) => [e.id, fields(e)]));
  state.dirty = false;
  state.undo = [];
  state.redo = [];
}

export async function save() {
  if (!state.video || !state.frames) return;
  const name = coder();
  if (!CODER.test(name)) { saveStatus("Coder name: letters, digits, _ and - only.", "error"); return; }
  const url = baseUrl() + "/annotations/" + encodeURIComponent(name);
  let request;
  if (!state.saved) {
    request = { method: "PUT", body: { revision: state.revision, events: state.events.map(plain) } };
  } else {
    const ids = new Set(state.events.filter((e) => e.id !== undefined).map((e) => e.id));
    request = { method: "POST", suffix: "/changes", body: {
      revision: state.revision,
      add: state.events.filter((e) => e.id === undefined).map(plain),
      update: state.events.filter((e) => e.id !== undefined && state.base.get(e.id) !== fields(e))
        .map((e) => ({ id: e.id, event: plain(e) })),
      delete: [...state.base.keys()].filter((id) => !ids.has(id)),
    } };
  }
  try {
    const saved = await api(url + (request.suffix || ""), { method: request.method,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(request.body) });
    const mine = state.events.length;
    state.events = saved.events.map((e) => ({ ...e }));
    state.revision = saved.revision;
    state.saved = true;
    rebase();
    const others = state.events.length - mine;
    saveStatus(`Saved as ${name} (revision ${saved.revision})` + (others ? `; ${others > 0 ? "+" : ""}${others} events from another save merged in.` : "."));
    state.selected = -1;
    table();
    draw();
    refreshCoders();
  } catch (e) {
    const d = e.data && e.data.detail;
    if (e.status === 409 && d && d.conflicts) await conflicted(url, d.conflicts);
    else saveStatus("Save failed: " + e.message, "error");
  }
}

async function conflicted(url, conflicts) {
  // Another save changed or deleted events this tab also changed. Rebase on the stored list so
  // that saving again keeps this tab's version of them; Reload takes the stored version.
  let theirs;
  try { theirs = await api(url); } catch (err) { saveStatus("Save failed: " + err.message, "error"); return; }
  const stored = new Map(theirs.events.map((e) => [e.id, e]));
  const names = [];
  for (const c of conflicts) {
    const mine = state.events.find((e) => e.id === c.id);
    const other = stored.get(c.id);
    const shown = mine || other;
    if (shown) names.push(`${eventLabel(shown)} (${shown.onset_s.toFixed(2)}–${shown.offset_s.toFixed(2)} s)`);
    if (other) state.base.set(c.id, fields(other));
    else { state.base.delete(c.id); if (mine) delete mine.id; }
  }
  state.revision = theirs.revision;
  saveStatus(`Not saved: another save also changed ${names.join(", ") || "these events"}. `
    + "Save again to keep your version, or Reload to take the stored one.", "error");
}

async function refreshCoders() {
  try {
    const info = await api(baseUrl());
    showCoders(info.coders);
  } catch (e) { /* the list of coders is a convenience */ }
}

/* Fill the event table with the events of the face on show. */
export function table() {
  const rows = state.events.map((e, i) => e.face !== state.face ? null : el("tr", {
    class: i === state.selected ? "selected" : "",
    "data-index": i,
    onclick: () => select(i, true),
  }, el("td", {}, e.code), el("td", {}, e.side || ""), el("td", {}, e.onset_s.toFixed(2)), el("td", {}, e.apex_s.toFixed(2)),
  el("td", {}, e.offset_s.toFixed(2)), el("td", {}, (e.peak || 0).toFixed(1)), el("td", {}, e.letter || ""))).filter(Boolean);
  $("#event-table tbody").replaceChildren(...rows);
  const sel = $("#event-table tbody tr.selected");
  const box = $(".table-scroll");
  if (sel && box) {  // keep the selected row visible inside the table's own scroll area
    const head = $("#event-table thead").offsetHeight;
    if (sel.offsetTop - head < box.scrollTop) box.scrollTop = sel.offsetTop - head;
    else if (sel.offsetTop + sel.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = sel.offsetTop + sel.offsetHeight - box.clientHeight;
  }
}

/* Select event i (an index into state.events): show it in the editor; seek to its apex if asked. */
export function select(i, seek) {
  state.selected = i;
  const e = state.events[i];
  if (e) {
    $("#ev-code").value = bareCode(e.code);
    $("#ev-side").value = e.side || (/^[LR](\d|AD)/.test(e.code) ? e.code[0] : "");
    $("#ev-onset").value = e.onset_s;
    $("#ev-apex").value = e.apex_s;
    $("#ev-offset").value = e.offset_s;
    $("#ev-letter").value = e.letter || "";
    $("#ev-peak").value = e.peak;
    if (seek) player().currentTime = e.apex_s;
  }
  table();
  draw();
}
