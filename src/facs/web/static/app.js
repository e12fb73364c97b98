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
      if (d && typeof d === "object" && d.position !== null && d.position !== undefined && d.text) {
        msg += "\n  " + d.text + "\n  " + " ".repeat(d.position) + "^".repeat(Math.max(1, (d.token || " ").length));
      }
      status.textContent = msg;
      status.className = "explain-status error";
      img.classList.add("stale");
      img.title = "the last valid code; fix the code to update the face";
      body.replaceChildren();
      return;
    }
    if (token !== pane._token) return;
    status.textContent = "valid: " + data.code;
    status.className = "explain-status ok";
    img.classList.remove("stale");
    img.title = data.code;
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
const EVENT_FIELDS = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"];
const LETTER_PEAK = { A: 1, B: 2, C: 3, D: 4, E: 5 };

function fields(e) { return JSON.stringify(EVENT_FIELDS.map((k) => e[k])); }

function eventLabel(e) {
  const side = e.side && !/^[LRTBU](\d|AD)/.test(e.code) ? e.side : "";
  return side + e.code + (e.letter || "");
}

function bareCode(code) {
  // "L12C" -> "12": events keep the letter in its own field and the side as the code's prefix and in its own field
  return String(code).replace(/^[LRTBU](?=\d|AD)/, "").replace(/[A-E]$/, "");
}

function codeNumber(code) {
  const m = String(code).match(/(\d+)/);
  return m ? parseInt(m[1], 10) + (/^AD/i.test(code) ? 0.5 : 0) : 999;
}

function humanSize(n) {
  return n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + " GB" : n >= 1 << 20 ? Math.round(n / (1 << 20)) + " MB" : Math.round(n / 1024) + " kB";
}

const Coding = {
  ready: false,
  info: null,
  video: null,
  videoInfo: null,
  face: 0,
  frames: null,
  events: [],
  saved: false,      // the coder has a stored list (save merges changes) or not (save creates it)
  base: new Map(),   // id -> fields as loaded, to tell what this tab changed
  revision: 0,
  selected: -1,
  dirty: false,
  undo: [],          // states before each edit (Ctrl+Z), and undone ones (Ctrl+Shift+Z)
  redo: [],
  job: null,

  init() {
    if (this.ready) return;
    this.ready = true;
    $("#upload-form").addEventListener("submit", (ev) => { ev.preventDefault(); this.upload(); });
    $("#video-select").addEventListener("change", () => this.pick($("#video-select").value));
    $("#code-button").addEventListener("click", () => this.startJob());
    $("#rescan-button").addEventListener("click", () => this.refresh());
    $("#cancel-button").addEventListener("click", () => this.cancelJob());
    $("#save-button").addEventListener("click", () => this.save());
    $("#reload-button").addEventListener("click", () => this.loadAnnotations(true));
    $("#coder-name").addEventListener("change", () => this.loadAnnotations(true));
    $("#face-select").addEventListener("change", () => { this.face = parseInt($("#face-select").value, 10); this.review(); });
    $("#ev-add").addEventListener("click", () => this.addAt(this.player().currentTime));
    $("#ev-apply").addEventListener("click", () => this.applyEditor());
    $("#ev-delete").addEventListener("click", () => this.deleteSelected());
    const canvas = $("#timeline");
    canvas.addEventListener("click", (ev) => this.clickTimeline(ev));
    const player = this.player();
    player.addEventListener("timeupdate", () => this.tick());
    player.addEventListener("seeked", () => this.tick());
    player.addEventListener("loadedmetadata", () => this.draw());
    player.addEventListener("error", () => this.status(
      "This browser cannot play this video's format. Press “Code video”: coding also makes a playable copy.", "error"));
    document.addEventListener("keydown", (ev) => this.key(ev));
    api("/api/info").then((info) => {
      this.info = info;
      $("#upload-hint").textContent = `Upload ${info.video_suffixes.join(", ")} up to ${humanSize(info.max_upload)}, `
        + `or put videos in ${info.workspace}/videos and pick them above.`;
    }).catch(() => {});
    this.refresh();
  },
  player() { return $("#player"); },
  coder() { return $("#coder-name").value.trim(); },
  base_url() { return "/api/videos/" + encodeURIComponent(this.video); },
  duration() {
    // the video's length, or the coding's if that is longer (or the video has not loaded)
    const d = this.player().duration;
    const t = this.frames && this.frames.time_s;
    const last = t && t.length ? t[t.length - 1] : 0;
    return Math.max(Number.isFinite(d) ? d : 0, last) || 1;
  },
  status(text, cls = "") { const s = $("#coding-status"); s.textContent = text; s.className = cls; },
  saveStatus(text, cls = "") { const s = $("#save-status"); s.textContent = text; s.className = cls; },
  evStatus(text) { $("#ev-status").textContent = text; },

  async refresh(selectId) {
    let videos;
    try { videos = await api("/api/videos"); } catch (e) { this.status(e.message, "error"); return; }
    const sel = $("#video-select");
    const keep = selectId || this.video || "";
    sel.replaceChildren(el("option", { value: "" }, videos.length ? "— pick a video —" : "— no videos yet —"),
      ...videos.map((v) => el("option", { value: v.id }, v.name + (v.coded ? " (coded)" : ""))));
    if (keep && videos.some((v) => v.id === keep)) sel.value = keep;
    if (selectId) await this.pick(selectId);
  },
  upload() {
    const file = $("#upload-file").files[0];
    if (!file) { this.status("Choose a video file first.", "error"); return Promise.resolve(); }
    if (this.info && file.size > this.info.max_upload) {
      this.status(`${file.name} is ${humanSize(file.size)}; the limit is ${humanSize(this.info.max_upload)}.`, "error");
      return Promise.resolve();
    }
    const form = new FormData();
    form.append("file", file);
    const bar = $("#job-progress");
    bar.hidden = false; bar.max = file.size || 1; bar.value = 0;
    this.status("Uploading " + file.name + "…");
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/videos");
      xhr.upload.addEventListener("progress", (ev) => {
        if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
        this.status(`Uploading ${file.name}: ${Math.round(100 * ev.loaded / (ev.total || 1))} %`);
      });
      xhr.addEventListener("load", async () => {
        bar.hidden = true;
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = { detail: xhr.responseText }; }
        if (xhr.status >= 200 && xhr.status < 300) {
          this.status("Uploaded " + data.name + ". Press “Code video” to code it.");
          $("#upload-file").value = "";
          await this.refresh(data.id);
        } else {
          const d = data && data.detail;
          this.status("Upload failed: " + (typeof d === "string" ? d : xhr.statusText), "error");
        }
        resolve();
      });
      xhr.addEventListener("error", () => { bar.hidden = true; this.status("Upload failed: the server did not answer.", "error"); resolve(); });
      xhr.send(form);
    });
  },
  async pick(id) {
    if (this.dirty && !confirm("Discard unsaved changes to the annotations?")) {
      $("#video-select").value = this.video || "";
      return;
    }
    this.video = id || null;
    this.frames = null; this.events = []; this.dirty = false;
    $("#review").hidden = !id;
    $("#coded-part").hidden = true;
    $("#review-tools").hidden = true;
    if (!id) { this.player().removeAttribute("src"); return; }
    let info;
    try { info = await api(this.base_url()); } catch (e) { this.status(e.message, "error"); return; }
    this.videoInfo = info;
    $("#coder-list").replaceChildren(...info.coders.map((c) => el("option", { value: c.coder }, `revision ${c.revision}`)));
    // a new URL once a playable copy exists, so the browser does not reuse the unplayable file
    this.player().src = this.base_url() + "/media" + (info.playback_copy ? "?copy=" + (info.job ? info.job.id : "1") : "");
    if (info.job && (info.job.state === "running" || info.job.state === "queued")) this.poll(info.job.id);
    else if (info.job && ["error", "interrupted", "cancelled"].includes(info.job.state) && !info.coded) {
      this.status(`Last coding ${info.job.state}: ${info.job.error}. Press “Code video” to try again.`, "error");
    }
    if (info.coded) { this.status(info.name + " is coded."); this.face = 0; await this.review(); }
    else if (!info.job || info.job.state === "done") this.status("Not coded yet: press “Code video”.");
  },
  async startJob() {
    if (!this.video) { this.status("Pick or upload a video first.", "error"); return; }
    try {
      const job = await api(this.base_url() + "/code", { method: "POST" });
      this.poll(job.id);
    } catch (e) { this.status(e.message, "error"); }
  },
  async cancelJob() {
    if (!this.job) return;
    try { await api("/api/jobs/" + encodeURIComponent(this.job) + "/cancel", { method: "POST" }); }
    catch (e) { this.status(e.message, "error"); }
  },
  async poll(jobId) {
    if (this.job === jobId) return;
    this.job = jobId;
    const bar = $("#job-progress");
    bar.hidden = false;
    $("#cancel-button").hidden = false;
    $("#code-button").disabled = true;
    try {
      for (;;) {
        let job;
        try { job = await api("/api/jobs/" + encodeURIComponent(jobId)); } catch (e) { this.status(e.message, "error"); return; }
        if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute("value"); }
        const count = job.total ? `${job.done} / ${job.total} frames` : `${job.done} frames`;
        this.status(`Coding ${job.video}: ${job.step || job.state}, ${count}`);
        if (job.state === "done") {
          this.status(`Coded ${job.video}.`);
          await this.refresh();
          if (job.video === this.video) await this.pick(this.video);
          return;
        }
        if (job.state !== "running" && job.state !== "queued") {
          this.status(`Coding ${job.state}: ${job.error}`, "error");
          return;
        }
        await new Promise((r) => setTimeout(r, 400));
      }
    } finally {
      this.job = null;
      bar.hidden = true;
      $("#cancel-button").hidden = true;
      $("#code-button").disabled = false;
    }
  },
  async review() {
    try { this.frames = await api(this.base_url() + "/frames?face=" + this.face); } catch (e) { this.status(e.message, "error"); return; }
    const faces = this.frames.faces;
    $("#face-label").hidden = faces.length < 2;
    $("#face-select").replaceChildren(...faces.map((f) => el("option", { value: f }, "face " + f)));
    $("#face-select").value = String(this.frames.face);
    $("#coded-part").hidden = false;
    $("#review-tools").hidden = false;
    await this.loadAnnotations(false);
  },
  async loadAnnotations(ask) {
    if (!this.video || !this.frames) return;
    if (ask && this.dirty && !confirm("Discard unsaved changes to the annotations?")) return;
    const coder = this.coder();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(coder)) { this.saveStatus("Coder name: letters, digits, _ and - only.", "error"); return; }
    const token = (this._loading = (this._loading || 0) + 1);  // only the latest load counts
    let ann, events;
    try {
      ann = await api(this.base_url() + "/annotations/" + encodeURIComponent(coder));
      events = ann.saved ? ann.events : await api(this.base_url() + "/events");
    } catch (e) { if (token === this._loading) this.saveStatus(e.message, "error"); return; }
    if (token !== this._loading) return;
    this.saved = ann.saved;
    this.revision = ann.revision;
    this.events = events.map((e) => ({ ...e }));
    this.saveStatus(ann.saved ? `Loaded ${coder}'s annotations (revision ${ann.revision}).`
      : `Machine events: not saved yet as ${coder}.`);
    this.rebase();
    $("#export-csv").href = this.base_url() + "/annotations/" + encodeURIComponent(coder) + ".csv";
    $("#export-eaf").href = this.base_url() + "/annotations/" + encodeURIComponent(coder) + ".eaf";
    this.selected = -1;
    this.table();
    this.tick();
  },
  rebase() {
    this.base = new Map(this.events.filter((e) => e.id !== undefined).map((e) => [e.id, fields(e)]));
    this.dirty = false;
    this.undo = [];
    this.redo = [];
  },
  shown() { return this.events.filter((e) => e.face === this.face); },
  async save() {
    if (!this.video || !this.frames) return;
    const coder = this.coder();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(coder)) { this.saveStatus("Coder name: letters, digits, _ and - only.", "error"); return; }
    const url = this.base_url() + "/annotations/" + encodeURIComponent(coder);
    const plain = (e) => Object.fromEntries(EVENT_FIELDS.map((k) => [k, e[k]]));
    let request;
    if (!this.saved) {
      request = { method: "PUT", body: { revision: this.revision, events: this.events.map(plain) } };
    } else {
      const ids = new Set(this.events.filter((e) => e.id !== undefined).map((e) => e.id));
      request = { method: "POST", suffix: "/changes", body: {
        revision: this.revision,
        add: this.events.filter((e) => e.id === undefined).map(plain),
        update: this.events.filter((e) => e.id !== undefined && this.base.get(e.id) !== fields(e))
          .map((e) => ({ id: e.id, event: plain(e) })),
        delete: [...this.base.keys()].filter((id) => !ids.has(id)),
      } };
    }
    try {
      const saved = await api(url + (request.suffix || ""), { method: request.method,
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(request.body) });
      const mine = this.events.length;
      this.events = saved.events.map((e) => ({ ...e }));
      this.revision = saved.revision;
      this.saved = true;
      this.rebase();
      const others = this.events.length - mine;
      this.saveStatus(`Saved as ${coder} (revision ${saved.revision})` + (others ? `; ${others > 0 ? "+" : ""}${others} events from another save merged in.` : "."));
      this.selected = -1;
      this.table();
      this.draw();
      this.refreshCoders();
    } catch (e) {
      const d = e.data && e.data.detail;
      if (e.status === 409 && d && d.conflicts) await this.conflicted(url, d.conflicts);
      else this.saveStatus("Save failed: " + e.message, "error");
    }
  },
  async conflicted(url, conflicts) {
    // Another save changed or deleted events this tab also changed. Rebase on the stored list so
    // that saving again keeps this tab's version of them; Reload takes the stored version.
    let theirs;
    try { theirs = await api(url); } catch (err) { this.saveStatus("Save failed: " + err.message, "error"); return; }
    const stored = new Map(theirs.events.map((e) => [e.id, e]));
    const names = [];
    for (const c of conflicts) {
      const mine = this.events.find((e) => e.id === c.id);
      const other = stored.get(c.id);
      const shown = mine || other;
      if (shown) names.push(`${eventLabel(shown)} (${shown.onset_s.toFixed(2)}–${shown.offset_s.toFixed(2)} s)`);
      if (other) this.base.set(c.id, fields(other));
      else { this.base.delete(c.id); if (mine) delete mine.id; }
    }
    this.revision = theirs.revision;
    this.saveStatus(`Not saved: another save also changed ${names.join(", ") || "these events"}. `
      + "Save again to keep your version, or Reload to take the stored one.", "error");
  },
  async refreshCoders() {
    try {
      const info = await api(this.base_url());
      $("#coder-list").replaceChildren(...info.coders.map((c) => el("option", { value: c.coder }, `revision ${c.revision}`)));
    } catch (e) { /* the list of coders is a convenience */ }
  },
  table() {
    const rows = this.events.map((e, i) => e.face !== this.face ? null : el("tr", {
      class: i === this.selected ? "selected" : "",
      "data-index": i,
      onclick: () => this.select(i, true),
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
  },
  select(i, seek) {
    this.selected = i;
    const e = this.events[i];
    if (e) {
      $("#ev-code").value = bareCode(e.code);
      $("#ev-side").value = e.side || (/^[LR](\d|AD)/.test(e.code) ? e.code[0] : "");
      $("#ev-onset").value = e.onset_s;
      $("#ev-apex").value = e.apex_s;
      $("#ev-offset").value = e.offset_s;
      $("#ev-letter").value = e.letter || "";
      $("#ev-peak").value = e.peak;
      if (seek) this.player().currentTime = e.apex_s;
    }
    this.table();
    this.draw();
  },
  check(e) {
    if (!e.code) return "code is empty";
    if (![e.onset_s, e.apex_s, e.offset_s].every((t) => Number.isFinite(t) && t >= 0)) return "times must be numbers ≥ 0";
    if (!(e.onset_s <= e.apex_s && e.apex_s <= e.offset_s)) return "need onset ≤ apex ≤ offset";
    if (!(Number.isFinite(e.peak) && e.peak >= 0 && e.peak <= 5)) return "peak must be a number from 0 to 5";
    return null;
  },
  async validCode(code) {
    try {
      const data = await api("/api/explain?code=" + encodeURIComponent(code));
      if (data.actions.length !== 1) return [null, "an event has exactly one code, got " + code];
      const a = data.actions[0];
      return [a, null];
    } catch (err) { return [null, err.message]; }
  },
  remember() {
    // one step of undo: the whole list as it was before an edit
    this.undo.push({ events: this.events.map((x) => ({ ...x })), selected: this.selected });
    if (this.undo.length > 200) this.undo.shift();
    this.redo = [];
  },
  undoRedo(from, to, verb) {
    const state = from.pop();
    if (!state) { this.evStatus(`Nothing to ${verb}.`); return; }
    to.push({ events: this.events.map((x) => ({ ...x })), selected: this.selected });
    this.events = state.events;
    this.selected = state.selected;
    this.dirty = true;
    this.evStatus("");
    this.table();
    this.tick();
    this.saveStatus(`Unsaved changes (${verb === "undo" ? "undone" : "redone"}; Ctrl+Z / Ctrl+Shift+Z).`);
  },
  edited(e) {
    e._edited = true;  // drawn orange until saved
    this.dirty = true;
    this.events.sort((a, b) => a.onset_s - b.onset_s);
    this.selected = this.events.indexOf(e);
    this.table();
    this.draw();
    this.tick();
    this.saveStatus("Unsaved changes.");
  },
  async addAt(t) {
    const code = $("#ev-code").value.trim() || "12";
    const [action, problem] = await this.validCode(code);
    if (problem) { this.evStatus(problem); return; }
    t = Math.max(0, t || 0);
    const end = Math.min(this.duration(), t + 0.5);
    const letter = action.intensity || $("#ev-letter").value || "";
    const side = action.side || $("#ev-side").value;
    const e = { face: this.face, code: side + bareCode(action.code), side, onset_s: t,
      apex_s: (t + Math.max(t, end)) / 2, offset_s: Math.max(t, end), peak: LETTER_PEAK[letter] || 0, letter };
    this.remember();
    this.events.push(e);
    this.evStatus("");
    this.edited(e);
  },
  async applyEditor() {
    const e = this.events[this.selected];
    if (!e) { this.evStatus("Select an event first (click it in the table or the timeline)."); return; }
    const [action, bad] = await this.validCode($("#ev-code").value.trim());
    if (bad) { this.evStatus(bad); return; }
    const letter = action.intensity || $("#ev-letter").value;
    const side = action.side || $("#ev-side").value;
    // the peak follows a new letter unless it was typed too
    const typed = parseFloat($("#ev-peak").value);
    let peak = Number.isFinite(typed) ? typed : e.peak;
    if (letter !== (e.letter || "") && peak === e.peak) peak = LETTER_PEAK[letter] || 0;
    const next = { ...e, code: side + bareCode(action.code), side,
      onset_s: parseFloat($("#ev-onset").value), apex_s: parseFloat($("#ev-apex").value),
      offset_s: parseFloat($("#ev-offset").value), letter, peak };
    const problem = this.check(next);
    if (problem) { this.evStatus(problem); return; }
    this.remember();
    Object.assign(e, next);
    this.evStatus("");
    this.edited(e);
  },
  deleteSelected() {
    if (this.selected < 0) { this.evStatus("Select an event first."); return; }
    this.remember();
    this.events.splice(this.selected, 1);
    this.selected = -1;
    this.dirty = true;
    this.table();
    this.draw();
    this.tick();
    this.saveStatus("Unsaved changes.");
  },
  setBound(which) {
    const e = this.events[this.selected];
    if (!e) { this.evStatus("Select an event first."); return; }
    const t = this.player().currentTime;
    this.remember();
    if (which === "onset") { e.onset_s = t; e.apex_s = Math.max(e.apex_s, t); e.offset_s = Math.max(e.offset_s, t); }
    if (which === "offset") { e.offset_s = t; e.apex_s = Math.min(e.apex_s, t); e.onset_s = Math.min(e.onset_s, t); }
    if (which === "apex") { e.apex_s = Math.min(Math.max(t, e.onset_s), e.offset_s); }
    this.select(this.events.indexOf(e), false);
    this.edited(e);
  },
  step(direction) {
    const list = this.shown().sort((a, b) => a.onset_s - b.onset_s);
    if (!list.length) return;
    const cur = this.events[this.selected];
    let k = cur ? list.indexOf(cur) + direction : (direction > 0 ? 0 : list.length - 1);
    k = Math.min(Math.max(k, 0), list.length - 1);
    this.select(this.events.indexOf(list[k]), true);
  },
  frameStep() {
    const fps = this.frames && this.frames.time_s.length > 1
      ? (this.frames.time_s.length - 1) / (this.frames.time_s[this.frames.time_s.length - 1] - this.frames.time_s[0]) : 25;
    return 1 / (Number.isFinite(fps) && fps > 0 ? fps : 25);
  },
  key(ev) {
    if ($("#view-coding").hidden || $("#review").hidden) return;
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) { this.save(); ev.preventDefault(); return; }
    const tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === "z" || ev.key === "Z" || ev.key === "y")) {
      if (ev.key === "y" || ev.shiftKey) this.undoRedo(this.redo, this.undo, "redo");
      else this.undoRedo(this.undo, this.redo, "undo");
      ev.preventDefault();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if ($("#coded-part").hidden && ev.key !== " ") return;
    const p = this.player();
    const k = ev.key;
    if (k === "a" || k === "A") this.addAt(p.currentTime);
    else if (k === "Delete" || k === "Backspace") this.deleteSelected();
    else if (k === "[") this.setBound("onset");
    else if (k === "]") this.setBound("offset");
    else if (k === "p" || k === "P") this.setBound("apex");
    else if (k === "n" || k === "N") this.step(1);
    else if (k === "b" || k === "B") this.step(-1);
    else if (k === " ") { if (p.paused) p.play(); else p.pause(); }
    else if (k === "ArrowRight") p.currentTime = Math.min(this.duration(), p.currentTime + this.frameStep());
    else if (k === "ArrowLeft") p.currentTime = Math.max(0, p.currentTime - this.frameStep());
    else return;
    ev.preventDefault();
  },
  frameAt(t) {
    const times = this.frames ? this.frames.time_s : [];
    let lo = 0, hi = times.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (times[mid] <= t + 1e-6) lo = mid; else hi = mid - 1; }
    return lo;
  },
  annotatedAt(t) {
    const active = this.shown().filter((e) => e.onset_s <= t && t <= e.offset_s)
      .sort((a, b) => codeNumber(a.code) - codeNumber(b.code));
    return active.length ? active.map(eventLabel).join("+") : "0";
  },
  tick() {
    const t = this.player().currentTime || 0;
    $("#current-time").textContent = t.toFixed(3);
    const i = this.frameAt(t);
    const ok = i >= 0 && this.frames.success[i];
    $("#current-code").textContent = i < 0 ? "–" : ok ? (this.frames.code[i] || "0") : "no face";
    $("#current-annotated").textContent = this.frames ? this.annotatedAt(t) : "–";
    this.draw();
  },
  layout() {
    // The canvas grows with the number of codes so every lane stays readable.
    const canvas = $("#timeline");
    const W = canvas.width;
    const cols = this.frames ? this.frames.columns.length : 0;
    const left = 46, axisH = 16, curveTop = 8 + 12 * Math.max(1, Math.ceil(cols / 20)), curveH = 130, laneH = 15;
    const codes = [...new Set(this.shown().map((e) => e.code))].sort((a, b) => codeNumber(a) - codeNumber(b));
    const lanesTop = curveTop + curveH + axisH;
    const H = lanesTop + laneH * Math.max(1, codes.length) + 4;
    if (canvas.height !== H) canvas.height = H;
    return { W, H, left, axisH, curveTop, curveH, codes, lanesTop, laneH,
      x: (t) => left + (t / this.duration()) * (W - left - 4), t: (px) => ((px - left) / (W - left - 4)) * this.duration() };
  },
  clickTimeline(ev) {
    const canvas = $("#timeline");
    const rect = canvas.getBoundingClientRect();
    const px = (ev.clientX - rect.left) * (canvas.width / rect.width);
    const py = (ev.clientY - rect.top) * (canvas.height / rect.height);
    const L = this.layout();
    if (py >= L.lanesTop) {
      const lane = Math.floor((py - L.lanesTop) / L.laneH);
      const code = L.codes[lane];
      const i = this.events.findIndex((e) => e.face === this.face && e.code === code && L.x(e.onset_s) - 3 <= px && px <= L.x(e.offset_s) + 3);
      if (i >= 0) { this.select(i, false); }
    }
    this.player().currentTime = Math.min(this.duration(), Math.max(0, L.t(px)));
    this.tick();
  },
  curves(L) {
    // The legend, intensity grid, curves and time axis change only with the data or the size:
    // draw them once into an offscreen canvas and copy it on every tick.
    const key = [this.frames && this.frames.face, this.frames && this.frames.time_s.length, L.W, L.H, this.duration()].join("|");
    if (this._curves && this._curves.key === key && this._curves.frames === this.frames) return this._curves.canvas;
    const off = document.createElement("canvas");
    off.width = L.W; off.height = L.H;
    const ctx = off.getContext("2d");
    const dur = this.duration();
    ctx.font = "11px sans-serif";
    const cols = this.frames.columns;
    cols.forEach((c, k) => {
      ctx.fillStyle = COLORS[k % COLORS.length];
      ctx.fillText(c, L.left + (k % 20) * 48, 11 + Math.floor(k / 20) * 12);
    });
    const yOf = (v) => L.curveTop + L.curveH - (v / 5) * L.curveH;
    ctx.strokeStyle = "#e3e6ea";
    ctx.fillStyle = "#667";
    for (let v = 0; v <= 5; v++) {
      ctx.beginPath(); ctx.moveTo(L.left, yOf(v)); ctx.lineTo(L.W, yOf(v)); ctx.stroke();
      ctx.fillText(v === 0 ? "0" : "ABCDE"[v - 1], L.left - 12, yOf(v) + 4);
    }
    cols.forEach((c, k) => {
      const vals = this.frames.values[c];
      ctx.strokeStyle = COLORS[k % COLORS.length];
      ctx.beginPath();
      this.frames.time_s.forEach((t, i) => { const y = yOf(vals[i]); if (i === 0) ctx.moveTo(L.x(t), y); else ctx.lineTo(L.x(t), y); });
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
    this._curves = { key, frames: this.frames, canvas: off };
    return off;
  },
  draw() {
    const canvas = $("#timeline");
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!this.frames) return;
    const L = this.layout();
    ctx.drawImage(this.curves(L), 0, 0);
    ctx.font = "11px sans-serif";
    // event lanes
    L.codes.forEach((code, lane) => {
      ctx.fillStyle = "#223";
      ctx.fillText(code, 4, L.lanesTop + lane * L.laneH + L.laneH - 4);
    });
    this.events.forEach((e, i) => {
      if (e.face !== this.face) return;
      const lane = L.codes.indexOf(e.code);
      const y = L.lanesTop + lane * L.laneH;
      ctx.fillStyle = i === this.selected ? "#d62728" : e._edited ? "#e0a030" : "#3b82c4";
      ctx.fillRect(L.x(e.onset_s), y, Math.max(2, L.x(e.offset_s) - L.x(e.onset_s)), L.laneH - 2);
      ctx.fillStyle = "#000";
      ctx.fillRect(L.x(e.apex_s), y, 1.5, L.laneH - 2);
      ctx.fillStyle = "#fff";
      ctx.fillText(eventLabel(e), L.x(e.onset_s) + 3, y + L.laneH - 5);
    });
    const now = this.player().currentTime || 0;
    ctx.strokeStyle = "#000";
    ctx.beginPath(); ctx.moveTo(L.x(now), 0); ctx.lineTo(L.x(now), L.H); ctx.stroke();
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
