/* Events as the coding view holds them: fields, labels, codes and checks (no DOM). */

export const EVENT_FIELDS = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"];
export const LETTER_PEAK = { A: 1, B: 2, C: 3, D: 4, E: 5 };

/* An event's stored fields as one string, to tell whether it changed. */
export function fields(e) { return JSON.stringify(EVENT_FIELDS.map((k) => e[k])); }

/* An event's stored fields only (no id, no marks of this page). */
export function plain(e) { return Object.fromEntries(EVENT_FIELDS.map((k) => [k, e[k]])); }

export function eventLabel(e) {
  const side = e.side && !/^[LRTBU](\d|AD)/.test(e.code) ? e.side : "";
  return side + e.code + (e.letter || "");
}

export function bareCode(code) {
  // "L12C" -> "12": events keep the letter in its own field and the side as the code's prefix and in its own field
  return String(code).replace(/^[LRTBU](?=\d|AD)/, "").replace(/[A-E]$/, "");
}

/* FACS's canonical order (facs.notation.Action.sort_key): number, plain before M, side, letter. */
const SIDE_ORDER = "LRTBUASVWXYZGHIJK";
function sortKey(e) {
  const label = eventLabel(e);
  const m = label.match(/^([A-Z]?)(M?)(?:AD|AU)?(\d+)([A-E]?)$/) || [];
  const side = m[1] ? SIDE_ORDER.indexOf(m[1]) : -1;
  return [parseInt(m[3] || "999", 10), m[2] ? 1 : 0, side, m[4] ? m[4].charCodeAt(0) : 0];
}
function compareKeys(a, b) {
  const ka = sortKey(a), kb = sortKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return 0;
}

/* The FACS string of the events active at time t (each with its event's letter), in
   canonical order: the one rule for the machine's events and the coder's. */
export function codeAt(events, t) {
  const active = events.filter((e) => e.onset_s <= t && t <= e.offset_s).sort(compareKeys);
  return active.length ? active.map(eventLabel).join("+") : "0";
}

export function codeNumber(code) {
  const m = String(code).match(/(\d+)/);
  return m ? parseInt(m[1], 10) + (/^AD/i.test(code) ? 0.5 : 0) : 999;
}

/* The letter a peak (0–5) reads, as facs.notation.intensity_to_letter: "" below 0.5. */
export function peakLetter(peak) {
  return peak < 0.5 ? "" : "ABCDE"[Math.min(5, Math.floor(peak + 0.5)) - 1];
}

/* What is wrong with an edited event, or null. */
export function check(e) {
  if (!e.code) return "code is empty";
  if (![e.onset_s, e.apex_s, e.offset_s].every((t) => Number.isFinite(t) && t >= 0)) return "times must be numbers ≥ 0";
  if (!(e.onset_s <= e.apex_s && e.apex_s <= e.offset_s)) return "need onset ≤ apex ≤ offset";
  if (!(Number.isFinite(e.peak) && e.peak >= 0 && e.peak <= 5)) return "peak must be a number from 0 to 5";
  const reads = peakLetter(e.peak), letter = e.letter || "";
  // as every events table: the letter is the one the peak reads; peak 0 = no peak measured
  if (letter !== reads && !(e.peak === 0 && letter)) {
    return `peak ${e.peak} reads ${reads || "no letter"}, not ${letter || "no letter"}`;
  }
  return null;
}
