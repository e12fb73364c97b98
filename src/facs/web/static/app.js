/* facs local page: lexicon, explainer, coding review. Plain JS, no external assets. */
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const resp = await fetch(path, options);
  let data = null;
  const text = await resp.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
  if (!resp.ok) {
    const d = data && data.detail;
    const message = typeof d === "string" ? d : (d && d.message) || resp.statusText;
    const err = new Error(message);
    err.status = resp.status;
    err.data = data;
    throw err;
  }
  return data;
}

function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

function renderUrl(code, view = "front") {
  return "/api/render/" + encodeURIComponent(code) + ".png?view=" + encodeURIComponent(view);
}

/* ------------------------------------------------------------------ views */

const VIEWS = ["lexicon", "explain", "coding"];

function showView(name) {
  if (!VIEWS.includes(name)) name = "lexicon";
  for (const v of VIEWS) $("#view-" + v).hidden = v !== name;
  for (const a of $$("#tabs a")) a.classList.toggle("active", a.dataset.view === name);
  if (name === "coding") Coding.init();
}

function route() {
  const m = location.pathname.match(/^\/au\/([^/]+)$/);
  if (m && (!location.hash || location.hash === "#lexicon")) {
    showView("lexicon");
    Lexicon.show(decodeURIComponent(m[1]));
    return;
  }
  showView((location.hash || "#lexicon").slice(1));
}

/* ------------------------------------------------------------------ lexicon */

const Lexicon = {
  codes: [],
  async init() {
    try {
      this.codes = await api("/api/codes");
    } catch (e) {
      $("#lex-list").replaceChildren(el("li", { class: "error" }, "Cannot load codes: " + e.message));
      return;
    }
    this.list("");
    $("#lex-search").addEventListener("input", (ev) => this.list(ev.target.value));
  },
  list(query) {
    const q = query.trim().toLowerCase();
    const items = this.codes.filter((c) => !q || [c.label, c.key, c.name, c.region, c.kind, ...c.muscles]
      .some((s) => String(s).toLowerCase().includes(q)));
    $("#lex-list").replaceChildren(...items.map((c) => el("li", {
      "data-code": c.key,
      onclick: () => { history.pushState(null, "", "/au/" + encodeURIComponent(c.key)); this.show(c.key); },
    }, el("span", { class: "label" }, c.label), " ", c.name)));
  },
  async show(code) {
    const pane = $("#lex-detail");
    for (const li of $$("#lex-list li")) li.classList.toggle("selected", li.dataset.code === code);
    let data;
    try {
      data = await api("/api/codes/" + encodeURIComponent(code));
    } catch (e) {
      pane.replaceChildren(el("p", { class: "error" }, e.message));
      return;
    }
    const e = data.entry;
    const faces = el("div", { class: "faces" }, ...["front", "three-quarter", "profile"].map((v) =>
      el("figure", {}, el("img", { class: "face", src: renderUrl(e.key, v), alt: e.label + " " + v }),
        el("figcaption", {}, v))));
    pane.replaceChildren(
      el("h2", {}, e.label + " " + e.name + (e.legacy ? " (1978, legacy)" : "")),
      el("p", {}, el("b", {}, "Kind: "), e.kind, "  ", el("b", {}, "Region: "), e.region),
      el("p", {}, el("b", {}, "Muscles: "), e.muscles.join(", ") || "–"),
      faces,
      el("p", {}, e.appearance || ""),
      el("p", { class: "hint" }, e.notes || ""),
      e.replaced_by ? el("p", { class: "warning" }, "Replaced in 2002 by: " + e.replaced_by) : "",
      el("p", {}, el("a", { href: "#explain", onclick: () => Explainer.set("a", e.key) }, "Explain in the explainer")),
    );
  },
};

/* ------------------------------------------------------------------ explainer */

const Explainer = {
  init() {
    for (const pane of $$(".explain-pane")) {
      const run = debounce(() => this.update(pane), 250);
      $(".explain-input", pane).addEventListener("input", run);
      $(".explain-view", pane).addEventListener("change", run);
      this.update(pane);
    }
  },
  set(name, code) {
    const pane = $(`.explain-pane[data-pane="${name}"]`);
    $(".explain-input", pane).value = code;
    this.update(pane);
  },
  async update(pane) {
    const input = $(".explain-input", pane);
    const code = input.value.trim();
    const status = $(".explain-status", pane);
    const body = $(".explain-body", pane);
    const img = $(".face", pane);
    if (!code) {
      status.textContent = "";
      status.className = "explain-status";
      body.replaceChildren();
      img.removeAttribute("src");
      return;
    }
    const token = (pane._token = (pane._token || 0) + 1);
    let data;
    try {
      data = await api("/api/explain?code=" + encodeURIComponent(code));
    } catch (e) {
      if (token !== pane._token) return;
      const d = e.data && e.data.detail;
      let msg = e.message;
      if (d && typeof d === "object" && d.position !== null && d.position !== undefined) {
        msg += "\n" + d.text + "\n" + " ".repeat(d.position) + "^";
      }
      status.textContent = msg;
      status.className = "explain-status error";
      body.replaceChildren();
      return;
    }
    if (token !== pane._token) return;
    status.textContent = "valid: " + data.code;
    status.className = "explain-status ok";
    img.src = renderUrl(data.code, $(".explain-view", pane).value);
    const rows = data.actions.map((a) => el("tr", {},
      el("td", {}, a.code), el("td", {}, a.name), el("td", {}, (a.muscles || []).join(", ")),
      el("td", {}, a.intensity ? a.intensity + " (" + a.intensity_word + ")" : "–"),
      el("td", {}, a.side_word || "both")));
    const emotions = data.emotions.slice(0, 6).map((m) => el("li", {},
      `${m.emotion} — ${m.match} (${m.type}, ${m.source}): ${m.prototype}`
      + (m.missing.length ? "; missing " + m.missing.join("+") : "")));
    body.replaceChildren(
      el("table", {}, el("thead", {}, el("tr", {}, ...["Item", "Name", "Muscles", "Intensity", "Side"].map((h) => el("th", {}, h)))),
        el("tbody", {}, ...rows)),
      ...data.warnings.map((w) => el("p", { class: "warning" }, "warning: " + w)),
      el("h3", {}, "Emotion matches"),
      emotions.length ? el("ul", { class: "emotions" }, ...emotions) : el("p", { class: "hint" }, "No emotion prototype shares these actions."),
    );
  },
};

/* ------------------------------------------------------------------ coding */

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const Coding = {
  ready: false,
  video: null,
  frames: null,
  events: [],
  revision: 0,
  selected: -1,
  dirty: false,

  init() {
    if (this.ready) return;
    this.ready = true;
    $("#upload-form").addEventListener("submit", (ev) => { ev.preventDefault(); this.upload(); });
    $("#video-select").addEventListener("change", () => this.pick($("#video-select").value));
    $("#code-button").addEventListener("click", () => this.startJob());
    $("#save-button").addEventListener("click", () => this.save());
    $("#reload-button").addEventListener("click", () => this.loadAnnotations());
    $("#coder-name").addEventListener("change", () => this.loadAnnotations());
    $("#ev-add").addEventListener("click", () => this.addAt(this.player().currentTime));
    $("#ev-apply").addEventListener("click", () => this.applyEditor());
    $("#ev-delete").addEventListener("click", () => this.deleteSelected());
    const canvas = $("#timeline");
    canvas.addEventListener("click", (ev) => {
      const rect = canvas.getBoundingClientRect();
      const t = ((ev.clientX - rect.left) / rect.width) * this.duration();
      this.player().currentTime = Math.max(0, t);
      this.draw();
    });
    const player = this.player();
    player.addEventListener("timeupdate", () => this.tick());
    player.addEventListener("seeked", () => this.tick());
    player.addEventListener("loadedmetadata", () => this.draw());
    document.addEventListener("keydown", (ev) => this.key(ev));
    this.refresh();
  },
  player() { return $("#player"); },
  coder() { return $("#coder-name").value.trim(); },
  duration() {
    const d = this.player().duration;
    if (Number.isFinite(d) && d > 0) return d;
    const t = this.frames && this.frames.time_s;
    return t && t.length ? t[t.length - 1] : 1;
  },
  status(text, cls = "") { const s = $("#coding-status"); s.textContent = text; s.className = cls; },

  async refresh(selectId) {
    let videos;
    try { videos = await api("/api/videos"); } catch (e) { this.status(e.message, "error"); return; }
    const sel = $("#video-select");
    sel.replaceChildren(el("option", { value: "" }, videos.length ? "— pick a video —" : "— no videos yet —"),
      ...videos.map((v) => el("option", { value: v.id }, v.name + (v.coded ? " (coded)" : ""))));
    if (selectId) { sel.value = selectId; this.pick(selectId); }
  },
  async upload() {
    const file = $("#upload-file").files[0];
    if (!file) { this.status("Choose a video file first.", "error"); return; }
    const form = new FormData();
    form.append("file", file);
    this.status("Uploading " + file.name + "…");
    try {
      const v = await api("/api/videos", { method: "POST", body: form });
      this.status("Uploaded " + v.name);
      await this.refresh(v.id);
    } catch (e) { this.status("Upload failed: " + e.message, "error"); }
  },
  async pick(id) {
    this.video = id || null;
    $("#review").hidden = true;
    if (!id) return;
    let info;
    try { info = await api("/api/videos/" + encodeURIComponent(id)); } catch (e) { this.status(e.message, "error"); return; }
    this.player().src = "/api/videos/" + encodeURIComponent(id) + "/media";
    if (info.job && (info.job.state === "running" || info.job.state === "queued")) this.poll(info.job.id);
    if (info.coded) await this.review();
    else this.status("Not coded yet: press “Code video”.");
  },
  async startJob() {
    if (!this.video) { this.status("Pick or upload a video first.", "error"); return; }
    try {
      const job = await api("/api/videos/" + encodeURIComponent(this.video) + "/code", { method: "POST" });
      this.poll(job.id);
    } catch (e) { this.status(e.message, "error"); }
  },
  async poll(jobId) {
    const bar = $("#job-progress");
    bar.hidden = false;
    for (;;) {
      let job;
      try { job = await api("/api/jobs/" + encodeURIComponent(jobId)); } catch (e) { this.status(e.message, "error"); return; }
      if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute("value"); }
      this.status(`Coding: ${job.state} ${job.done}${job.total ? " / " + job.total : ""} frames`);
      if (job.state === "done") { bar.hidden = true; this.status("Coded."); await this.refresh(job.video); return; }
      if (job.state === "error") { bar.hidden = true; this.status("Coding failed: " + job.error, "error"); return; }
      await new Promise((r) => setTimeout(r, 500));
    }
  },
  async review() {
    const base = "/api/videos/" + encodeURIComponent(this.video);
    try { this.frames = await api(base + "/frames"); } catch (e) { this.status(e.message, "error"); return; }
    $("#review").hidden = false;
    await this.loadAnnotations();
  },
  async loadAnnotations() {
    if (!this.video) return;
    const coder = this.coder();
    const base = "/api/videos/" + encodeURIComponent(this.video);
    try {
      const ann = await api(base + "/annotations/" + encodeURIComponent(coder));
      if (ann.saved) {
        this.events = ann.events.map((e) => ({ ...e }));
        this.saveStatus(`Loaded ${coder}'s annotations (revision ${ann.revision}).`);
      } else {
        const machine = await api(base + "/events");
        this.events = machine.filter((e) => e.face === (this.frames ? this.frames.face : 0));
        this.saveStatus("Machine events (not saved yet as " + coder + ").");
      }
      this.revision = ann.revision;
      this.dirty = false;
    } catch (e) { this.saveStatus(e.message, "error"); return; }
    $("#export-csv").href = base + "/annotations/" + encodeURIComponent(coder) + ".csv";
    $("#export-eaf").href = base + "/annotations/" + encodeURIComponent(coder) + ".eaf";
    this.selected = -1;
    this.table();
    this.draw();
  },
  saveStatus(text, cls = "") { const s = $("#save-status"); s.textContent = text; s.className = cls; },
  async save() {
    const coder = this.coder();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(coder)) { this.saveStatus("Coder name: letters, digits, _ and - only.", "error"); return; }
    const url = "/api/videos/" + encodeURIComponent(this.video) + "/annotations/" + encodeURIComponent(coder);
    const events = this.events.map(({ id, ...rest }) => rest);
    try {
      const saved = await api(url, { method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ revision: this.revision, events }) });
      this.events = saved.events;
      this.revision = saved.revision;
      this.dirty = false;
      this.saveStatus(`Saved as ${coder} (revision ${saved.revision}).`);
      this.table();
      this.draw();
    } catch (e) {
      this.saveStatus((e.status === 409 ? "Not saved: " : "Save failed: ") + e.message, "error");
    }
  },
  table() {
    const rows = this.events.map((e, i) => el("tr", {
      class: i === this.selected ? "selected" : "",
      onclick: () => this.select(i, true),
    }, el("td", {}, e.code), el("td", {}, e.onset_s.toFixed(2)), el("td", {}, e.apex_s.toFixed(2)),
    el("td", {}, e.offset_s.toFixed(2)), el("td", {}, e.letter || "")));
    $("#event-table tbody").replaceChildren(...rows);
  },
  select(i, seek) {
    this.selected = i;
    const e = this.events[i];
    if (e) {
      $("#ev-code").value = e.code;
      $("#ev-onset").value = e.onset_s;
      $("#ev-apex").value = e.apex_s;
      $("#ev-offset").value = e.offset_s;
      $("#ev-letter").value = e.letter || "";
      if (seek) this.player().currentTime = e.onset_s;
    }
    this.table();
    this.draw();
  },
  check(e) {
    if (!e.code) return "code is empty";
    if (![e.onset_s, e.apex_s, e.offset_s].every((t) => Number.isFinite(t) && t >= 0)) return "times must be numbers ≥ 0";
    if (!(e.onset_s <= e.apex_s && e.apex_s <= e.offset_s)) return "need onset ≤ apex ≤ offset";
    return null;
  },
  edited(e) {
    this.dirty = true;
    this.events.sort((a, b) => a.onset_s - b.onset_s);
    this.selected = this.events.indexOf(e);
    this.table();
    this.draw();
    this.saveStatus("Unsaved changes.");
  },
  async addAt(t) {
    const code = $("#ev-code").value.trim() || "12";
    try { await api("/api/explain?code=" + encodeURIComponent(code)); } catch (err) { $("#ev-status").textContent = err.message; return; }
    t = Math.max(0, t || 0);
    const e = { face: this.frames ? this.frames.face : 0, code, side: "", onset_s: t, apex_s: t + 0.25,
      offset_s: t + 0.5, peak: 3, letter: $("#ev-letter").value || "" };
    this.events.push(e);
    $("#ev-status").textContent = "";
    this.edited(e);
  },
  applyEditor() {
    const e = this.events[this.selected];
    if (!e) { $("#ev-status").textContent = "Select an event first."; return; }
    const next = { ...e, code: $("#ev-code").value.trim(), onset_s: parseFloat($("#ev-onset").value),
      apex_s: parseFloat($("#ev-apex").value), offset_s: parseFloat($("#ev-offset").value), letter: $("#ev-letter").value };
    const problem = this.check(next);
    if (problem) { $("#ev-status").textContent = problem; return; }
    Object.assign(e, next);
    $("#ev-status").textContent = "";
    this.edited(e);
  },
  deleteSelected() {
    if (this.selected < 0) return;
    this.events.splice(this.selected, 1);
    this.selected = -1;
    this.dirty = true;
    this.table();
    this.draw();
    this.saveStatus("Unsaved changes.");
  },
  setBound(which) {
    const e = this.events[this.selected];
    if (!e) return;
    const t = this.player().currentTime;
    const next = { ...e };
    if (which === "onset") { next.onset_s = t; next.apex_s = Math.max(next.apex_s, t); next.offset_s = Math.max(next.offset_s, t); }
    if (which === "offset") { next.offset_s = t; next.apex_s = Math.min(next.apex_s, t); next.onset_s = Math.min(next.onset_s, t); }
    if (which === "apex") { next.apex_s = Math.min(Math.max(t, next.onset_s), next.offset_s); }
    Object.assign(e, next);
    this.select(this.events.indexOf(e), false);
    this.edited(e);
  },
  key(ev) {
    if ($("#view-coding").hidden || $("#review").hidden) return;
    const tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    const p = this.player();
    if (ev.key === "a" || ev.key === "A") { this.addAt(p.currentTime); ev.preventDefault(); }
    else if (ev.key === "Delete" || ev.key === "Backspace") { this.deleteSelected(); ev.preventDefault(); }
    else if (ev.key === "[") { this.setBound("onset"); ev.preventDefault(); }
    else if (ev.key === "]") { this.setBound("offset"); ev.preventDefault(); }
    else if (ev.key === "p" || ev.key === "P") { this.setBound("apex"); ev.preventDefault(); }
    else if (ev.key === " ") { if (p.paused) p.play(); else p.pause(); ev.preventDefault(); }
    else if (ev.key === "ArrowRight") { p.currentTime += 1 / 25; ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { p.currentTime = Math.max(0, p.currentTime - 1 / 25); ev.preventDefault(); }
  },
  frameAt(t) {
    const times = this.frames ? this.frames.time_s : [];
    let lo = 0, hi = times.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (times[mid] <= t) lo = mid; else hi = mid - 1; }
    return lo;
  },
  tick() {
    const t = this.player().currentTime;
    $("#current-time").textContent = t.toFixed(3);
    const i = this.frameAt(t);
    $("#current-code").textContent = i >= 0 ? (this.frames.code[i] || "0") : "–";
    this.draw();
  },
  draw() {
    const canvas = $("#timeline");
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    if (!this.frames) return;
    const dur = this.duration();
    const x = (t) => (t / dur) * W;
    const cols = this.frames.columns;
    const curveH = H * 0.55;
    ctx.font = "11px sans-serif";
    cols.forEach((c, k) => {
      const vals = this.frames.values[c];
      ctx.strokeStyle = COLORS[k % COLORS.length];
      ctx.beginPath();
      this.frames.time_s.forEach((t, i) => {
        const y = curveH - (vals[i] / 5) * (curveH - 10);
        if (i === 0) ctx.moveTo(x(t), y); else ctx.lineTo(x(t), y);
      });
      ctx.stroke();
      ctx.fillStyle = COLORS[k % COLORS.length];
      ctx.fillText(c, 4 + (k % 12) * 48, 12 + Math.floor(k / 12) * 12);
    });
    const codes = [...new Set(this.events.map((e) => e.code))];
    const laneH = Math.max(8, (H - curveH - 6) / Math.max(1, codes.length));
    this.events.forEach((e, i) => {
      const lane = codes.indexOf(e.code);
      const y = curveH + 4 + lane * laneH;
      ctx.fillStyle = i === this.selected ? "#d62728" : "#3b82c4";
      ctx.fillRect(x(e.onset_s), y, Math.max(2, x(e.offset_s) - x(e.onset_s)), laneH - 2);
      ctx.fillStyle = "#000";
      ctx.fillRect(x(e.apex_s), y, 1, laneH - 2);
      ctx.fillText(e.code + (e.letter || ""), x(e.onset_s) + 2, y + laneH - 4);
    });
    const now = this.player().currentTime || 0;
    ctx.strokeStyle = "#000";
    ctx.beginPath(); ctx.moveTo(x(now), 0); ctx.lineTo(x(now), H); ctx.stroke();
  },
};

window.addEventListener("beforeunload", (ev) => { if (Coding.dirty) { ev.preventDefault(); ev.returnValue = ""; } });
window.addEventListener("hashchange", route);
window.addEventListener("popstate", route);
document.addEventListener("DOMContentLoaded", () => {
  Lexicon.init().then(route);
  Explainer.init();
});
window.facs = { Lexicon, Explainer, Coding };
