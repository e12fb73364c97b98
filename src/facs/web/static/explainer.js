/* The explainer view: two codes typed side by side, parsed, explained and rendered. */
import { api, renderUrl } from "./api.js";
import { $, $$, debounce, el } from "./dom.js";

export const Explainer = {
  init() {
    for (const pane of $$(".explain-pane")) {
      const run = debounce(() => this.update(pane), 250);
      $(".explain-input", pane).addEventListener("input", run);
      $(".explain-view", pane).addEventListener("change", run);
      $(".explain-face", pane).addEventListener("change", run);
      this.update(pane);
    }
    this.faces();
  },
  /* Fill each pane's face choice with the synthesiser's faces (0 is the mean face). */
  async faces() {
    let names;
    try { names = await api("/api/faces"); } catch (e) { return; }
    for (const pane of $$(".explain-pane")) {
      const select = $(".explain-face", pane);
      select.replaceChildren(...names.map((n, k) => el("option", { value: String(k) }, k + ": " + n)));
    }
  },
  set(name, code) {
    const pane = $(`.explain-pane[data-pane="${name}"]`);
    $(".explain-input", pane).value = code;
    this.update(pane);
  },
  /* The codes on show as a link: #explain?a=1%2B2%2B5B%2B26&b=… (copy the address to share). */
  share() {
    if (!location.hash.startsWith("#explain")) return;
    const params = new URLSearchParams();
    for (const pane of $$(".explain-pane")) {
      const code = $(".explain-input", pane).value.trim();
      if (code) params.set(pane.dataset.pane, code);
    }
    const hash = "#explain" + (params.toString() ? "?" + params.toString() : "");
    if (hash !== location.hash) history.replaceState(null, "", location.pathname + hash);
  },
  /* Fill the panes from a link's #explain?a=…&b=… */
  follow(query) {
    const params = new URLSearchParams(query);
    for (const name of ["a", "b"]) if (params.has(name)) this.set(name, params.get(name));
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
    this.share();
    status.textContent = "valid: " + data.code;
    status.className = "explain-status ok";
    img.classList.remove("stale");
    img.title = data.code;
    img.src = renderUrl(data.code, $(".explain-view", pane).value, $(".explain-face", pane).value);
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
