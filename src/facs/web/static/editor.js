/* Editing the events: the editor's fields, the keys, clicks on the timeline, undo and redo. */
import { api } from "./api.js";
import { $ } from "./dom.js";
import { LETTER_PEAK, bareCode, check } from "./events.js";
import { save, select, table } from "./annotations.js";
import { duration, evStatus, player, saveStatus, shown, state } from "./state.js";
import { draw, pointAt, tick } from "./timeline.js";

async function validCode(code) {
  try {
    const data = await api("/api/explain?code=" + encodeURIComponent(code));
    if (data.actions.length !== 1) return [null, "an event has exactly one code, got " + code];
    const a = data.actions[0];
    return [a, null];
  } catch (err) { return [null, err.message]; }
}

function remember() {
  // one step of undo: the whole list as it was before an edit
  state.undo.push({ events: state.events.map((x) => ({ ...x })), selected: state.selected });
  if (state.undo.length > 200) state.undo.shift();
  state.redo = [];
}

function undoRedo(from, to, verb) {
  const last = from.pop();
  if (!last) { evStatus(`Nothing to ${verb}.`); return; }
  to.push({ events: state.events.map((x) => ({ ...x })), selected: state.selected });
  state.events = last.events;
  state.selected = last.selected;
  state.dirty = true;
  evStatus("");
  table();
  tick();
  saveStatus(`Unsaved changes (${verb === "undo" ? "undone" : "redone"}; Ctrl+Z / Ctrl+Shift+Z).`);
}

export function undo() { undoRedo(state.undo, state.redo, "undo"); }
export function redo() { undoRedo(state.redo, state.undo, "redo"); }

function edited(e) {
  e._edited = true;  // drawn orange until saved
  state.dirty = true;
  state.events.sort((a, b) => a.onset_s - b.onset_s);
  state.selected = state.events.indexOf(e);
  table();
  draw();
  tick();
  saveStatus("Unsaved changes.");
}

/* Add an event with the editor's code at time t (half a second long). */
export async function addAt(t) {
  const code = $("#ev-code").value.trim() || "12";
  const [action, problem] = await validCode(code);
  if (problem) { evStatus(problem); return; }
  t = Math.max(0, t || 0);
  const end = Math.min(duration(), t + 0.5);
  const letter = action.intensity || $("#ev-letter").value || "";
  const side = action.side || $("#ev-side").value;
  const e = { face: state.face, code: side + bareCode(action.code), side, onset_s: t,
    apex_s: (t + Math.max(t, end)) / 2, offset_s: Math.max(t, end), peak: LETTER_PEAK[letter] || 0, letter };
  remember();
  state.events.push(e);
  evStatus("");
  edited(e);
}

/* Give the selected event the editor's values. */
export async function applyEditor() {
  const e = state.events[state.selected];
  if (!e) { evStatus("Select an event first (click it in the table or the timeline)."); return; }
  const [action, bad] = await validCode($("#ev-code").value.trim());
  if (bad) { evStatus(bad); return; }
  const letter = action.intensity || $("#ev-letter").value;
  const side = action.side || $("#ev-side").value;
  // the peak follows a new letter unless it was typed too
  const typed = parseFloat($("#ev-peak").value);
  let peak = Number.isFinite(typed) ? typed : e.peak;
  if (letter !== (e.letter || "") && peak === e.peak) peak = LETTER_PEAK[letter] || 0;
  const next = { ...e, code: side + bareCode(action.code), side,
    onset_s: parseFloat($("#ev-onset").value), apex_s: parseFloat($("#ev-apex").value),
    offset_s: parseFloat($("#ev-offset").value), letter, peak };
  const problem = check(next);
  if (problem) { evStatus(problem); return; }
  remember();
  Object.assign(e, next);
  evStatus("");
  edited(e);
}

export function deleteSelected() {
  if (state.selected < 0) { evStatus("Select an event first."); return; }
  remember();
  state.events.splice(state.selected, 1);
  state.selected = -1;
  state.dirty = true;
  table();
  draw();
  tick();
  saveStatus("Unsaved changes.");
}

/* Move the selected event's onset, offset or apex to the player's time. */
function setBound(which) {
  const e = state.events[state.selected];
  if (!e) { evStatus("Select an event first."); return; }
  const t = player().currentTime;
  remember();
  if (which === "onset") { e.onset_s = t; e.apex_s = Math.max(e.apex_s, t); e.offset_s = Math.max(e.offset_s, t); }
  if (which === "offset") { e.offset_s = t; e.apex_s = Math.min(e.apex_s, t); e.onset_s = Math.min(e.onset_s, t); }
  if (which === "apex") { e.apex_s = Math.min(Math.max(t, e.onset_s), e.offset_s); }
  select(state.events.indexOf(e), false);
  edited(e);
}

/* Select the next (1) or previous (-1) event of the face on show. */
function step(direction) {
  const list = shown().sort((a, b) => a.onset_s - b.onset_s);
  if (!list.length) return;
  const cur = state.events[state.selected];
  let k = cur ? list.indexOf(cur) + direction : (direction > 0 ? 0 : list.length - 1);
  k = Math.min(Math.max(k, 0), list.length - 1);
  select(state.events.indexOf(list[k]), true);
}

function frameStep() {
  const times = state.frames && state.frames.time_s;
  const fps = times && times.length > 1 ? (times.length - 1) / (times[times.length - 1] - times[0]) : 25;
  return 1 / (Number.isFinite(fps) && fps > 0 ? fps : 25);
}

/* The review's keys (see the list on the page). */
export function key(ev) {
  if ($("#view-coding").hidden || $("#review").hidden) return;
  if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) { save(); ev.preventDefault(); return; }
  const tag = (ev.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "select" || tag === "textarea") return;
  if ((ev.ctrlKey || ev.metaKey) && (ev.key === "z" || ev.key === "Z" || ev.key === "y")) {
    if (ev.key === "y" || ev.shiftKey) redo();
    else undo();
    ev.preventDefault();
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if ($("#coded-part").hidden && ev.key !== " ") return;
  const p = player();
  const k = ev.key;
  if (k === "a" || k === "A") addAt(p.currentTime);
  else if (k === "Delete" || k === "Backspace") deleteSelected();
  else if (k === "[") setBound("onset");
  else if (k === "]") setBound("offset");
  else if (k === "p" || k === "P") setBound("apex");
  else if (k === "n" || k === "N") step(1);
  else if (k === "b" || k === "B") step(-1);
  else if (k === " ") { if (p.paused) p.play(); else p.pause(); }
  else if (k === "ArrowRight") p.currentTime = Math.min(duration(), p.currentTime + frameStep());
  else if (k === "ArrowLeft") p.currentTime = Math.max(0, p.currentTime - frameStep());
  else return;
  ev.preventDefault();
}

/* A click on the timeline selects the event under it, if any, and seeks there. */
export function clickTimeline(ev) {
  const { time, index } = pointAt(ev);
  if (index >= 0) select(index, false);
  player().currentTime = time;
  tick();
}
