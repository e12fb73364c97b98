/* The coding view's state, shared by its modules, and what they read from the page. */
import { $ } from "./dom.js";

export const state = {
  ready: false,
  info: null,
  video: null,
  videoInfo: null,
  face: 0,
  frames: null,
  events: [],
  machine: [],       // the machine's own events (the "Machine" string is read from them)
  saved: false,      // the coder has a stored list (save merges changes) or not (save creates it)
  base: new Map(),   // id -> fields as loaded, to tell what this tab changed
  revision: 0,
  selected: -1,
  dirty: false,
  undo: [],          // states before each edit (Ctrl+Z), and undone ones (Ctrl+Shift+Z)
  redo: [],
  job: null,
  _loading: 0,       // the latest annotations load (only its answer counts)
  _curves: null,     // the timeline's static layer (see timeline.js)
};

export function player() { return $("#player"); }
export function coder() { return $("#coder-name").value.trim(); }
export function baseUrl() { return "/api/videos/" + encodeURIComponent(state.video); }

export function duration() {
  // the video's length, or the coding's if that is longer (or the video has not loaded)
  const d = player().duration;
  const t = state.frames && state.frames.time_s;
  const last = t && t.length ? t[t.length - 1] : 0;
  return Math.max(Number.isFinite(d) ? d : 0, last) || 1;
}

/* The events of the face on show. */
export function shown() { return state.events.filter((e) => e.face === state.face); }

export function status(text, cls = "") { const s = $("#coding-status"); s.textContent = text; s.className = cls; }
export function saveStatus(text, cls = "") { const s = $("#save-status"); s.textContent = text; s.className = cls; }
export function evStatus(text) { $("#ev-status").textContent = text; }
