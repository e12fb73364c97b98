/* The timeline canvas: intensity curves, event lanes and the play head; the time readouts. */
import { $ } from "./dom.js";
import { codeAt, codeNumber, eventLabel } from "./events.js";
import { duration, player, shown, state } from "./state.js";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/* The index of the last coded frame at or before t (-1 when there are none). */
export function frameAt(t) {
  const times = state.frames ? state.frames.time_s : [];
  let lo = 0, hi = times.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (times[mid] <= t + 1e-6) lo = mid; else hi = mid - 1; }
  return lo;
}

/* Show the player's time and the machine's and the coder's codes there; redraw. */
export function tick() {
  const t = player().currentTime || 0;
  $("#current-time").textContent = t.toFixed(3);
  const i = frameAt(t);
  const ok = i >= 0 && state.frames.success[i];
  // One rule for both: the events active at t with their letters, in canonical order.
  const machine = state.machine.filter((e) => e.face === state.face);
  $("#current-code").textContent = i < 0 ? "–" : ok ? codeAt(machine, t) : "no face";
  $("#current-annotated").textContent = state.frames ? codeAt(shown(), t) : "–";
  draw();
}

/* The frames column of an event code ("L12" -> "AU12", "19" -> "AD19"), or undefined. */
function columnOf(code) {
  const number = String(codeNumber(code)).replace(/\.5$/, "");
  return state.frames.columns.find((c) => c.replace(/^A[UD]0*/, "") === number);
}

/* The curves on show: every code with "all curves", else the selected event's code and the
   codes of the events active at the play head (about 30 curves at once read as none). */
export function visibleColumns() {
  if (!state.frames) return [];
  if ($("#all-curves") && $("#all-curves").checked) return state.frames.columns;
  const t = player().currentTime || 0;
  const wanted = new Set();
  const chosen = state.events[state.selected];
  if (chosen && chosen.face === state.face) wanted.add(columnOf(chosen.code));
  for (const e of shown()) if (e.onset_s <= t && t <= e.offset_s) wanted.add(columnOf(e.code));
  return state.frames.columns.filter((c) => wanted.has(c));
}

export function layout() {
  // The canvas grows with the number of codes so every lane stays readable.
  const canvas = $("#timeline");
  const W = canvas.width;
  const cols = visibleColumns().length;
  const left = 46, axisH = 16, curveTop = 8 + 12 * Math.max(1, Math.ceil(cols / 20)), curveH = 130, laneH = 15;
  const codes = [...new Set(shown().map((e) => e.code))].sort((a, b) => codeNumber(a) - codeNumber(b));
  const lanesTop = curveTop + curveH + axisH;
  const H = lanesTop + laneH * Math.max(1, codes.length) + 4;
  if (canvas.height !== H) canvas.height = H;
  return { W, H, left, axisH, curveTop, curveH, codes, lanesTop, laneH,
    x: (t) => left + (t / duration()) * (W - left - 4), t: (px) => ((px - left) / (W - left - 4)) * duration() };
}

/* Where a click on the canvas falls: the time there, and the index of the event hit (or -1). */
export function pointAt(ev) {
  const canvas = $("#timeline");
  const rect = canvas.getBoundingClientRect();
  const px = (ev.clientX - rect.left) * (canvas.width / rect.width);
  const py = (ev.clientY - rect.top) * (canvas.height / rect.height);
  const L = layout();
  let index = -1;
  if (py >= L.lanesTop) {
    const lane = Math.floor((py - L.lanesTop) / L.laneH);
    const code = L.codes[lane];
    index = state.events.findIndex((e) => e.face === state.face && e.code === code && L.x(e.onset_s) - 3 <= px && px <= L.x(e.offset_s) + 3);
  }
  return { time: Math.min(duration(), Math.max(0, L.t(px))), index };
}

function curves(L) {
  // The legend, intensity grid, curves and time axis change only with the data or the size:
  // draw them once into an offscreen canvas and copy it on every tick.
  const frames = state.frames;
  const cols = visibleColumns();
  const key = [frames && frames.face, frames && frames.time_s.length, L.W, L.H, duration(),
    cols.join(",")].join("|");
  if (state._curves && state._curves.key === key && state._curves.frames === frames) return state._curves.canvas;
  const off = document.createElement("canvas");
  off.width = L.W; off.height = L.H;
  const ctx = off.getContext("2d");
  const dur = duration();
  ctx.font = "11px sans-serif";
  const color = (c) => COLORS[frames.columns.indexOf(c) % COLORS.length];  // stable per code
  cols.forEach((c, k) => {
    ctx.fillStyle = color(c);
    ctx.fillText(c, L.left + (k % 20) * 48, 11 + Math.floor(k / 20) * 12);
  });
  if (!cols.length) { ctx.fillStyle = "#889"; ctx.fillText("no code active here", L.left, 11); }
  const yOf = (v) => L.curveTop + L.curveH - (v / 5) * L.curveH;
  ctx.strokeStyle = "#e3e6ea";
  ctx.fillStyle = "#667";
  for (let v = 0; v <= 5; v++) {
    ctx.beginPath(); ctx.moveTo(L.left, yOf(v)); ctx.lineTo(L.W, yOf(v)); ctx.stroke();
    ctx.fillText(v === 0 ? "0" : "ABCDE"[v - 1], L.left - 12, yOf(v) + 4);
  }
  cols.forEach((c) => {
    const vals = frames.values[c];
    ctx.strokeStyle = color(c);
    ctx.beginPath();
    frames.time_s.forEach((t, i) => { const y = yOf(vals[i]); if (i === 0) ctx.moveTo(L.x(t), y); else ctx.lineTo(L.x(t), y); });
    ctx.stroke();
  });
  const axisY = L.curveTop + L.curveH + 2;
  const stepS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600].find((s) => dur / s <= 20) || 1200;
  ctx.fillStyle = "#445"; ctx.strokeStyle = "#99a";
  for (let t = 0; t <= dur + 1e-9; t += stepS) {
    ctx.beginPath(); ctx.moveTo(L.x(t), axisY); ctx.lineTo(L.x(t), axisY + 4); ctx.stroke();
    const label = stepS < 1 ? t.toFixed(1) : stepS >= 60 ? `${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, "0")}` : Math.round(t);
    ctx.fillText(label + (stepS >= 60 ? "" : " s"), L.x(t) + 2, axisY + 13);
  }
  state._curves = { key, frames, canvas: off };
  return off;
}

export function draw() {
  const canvas = $("#timeline");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!state.frames) return;
  const L = layout();
  ctx.drawImage(curves(L), 0, 0);
  ctx.font = "11px sans-serif";
  // event lanes
  L.codes.forEach((code, lane) => {
    ctx.fillStyle = "#223";
    ctx.fillText(code, 4, L.lanesTop + lane * L.laneH + L.laneH - 4);
  });
  state.events.forEach((e, i) => {
    if (e.face !== state.face) return;
    const lane = L.codes.indexOf(e.code);
    const y = L.lanesTop + lane * L.laneH;
    ctx.fillStyle = i === state.selected ? "#d62728" : e._edited ? "#e0a030" : "#3b82c4";
    ctx.fillRect(L.x(e.onset_s), y, Math.max(2, L.x(e.offset_s) - L.x(e.onset_s)), L.laneH - 2);
    ctx.fillStyle = "#000";
    ctx.fillRect(L.x(e.apex_s), y, 1.5, L.laneH - 2);
    ctx.fillStyle = "#fff";
    ctx.fillText(eventLabel(e), L.x(e.onset_s) + 3, y + L.laneH - 5);
  });
  const now = player().currentTime || 0;
  ctx.strokeStyle = "#000";
  ctx.beginPath(); ctx.moveTo(L.x(now), 0); ctx.lineTo(L.x(now), L.H); ctx.stroke();
}
