/* The lexicon view: every code of the catalogue, searchable, with its faces. */
import { api, renderUrl } from "./api.js";
import { $, $$, el } from "./dom.js";
import { Explainer } from "./explainer.js";

export const Lexicon = {
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
