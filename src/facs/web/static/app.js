/* facs local page: lexicon, explainer, coding review. Plain ES modules, no external assets.
   This entry module switches the views and follows the URL; each view has its own module. */
import { Coding } from "./coding.js";
import { $, $$ } from "./dom.js";
import { Explainer } from "./explainer.js";
import { Lexicon } from "./lexicon.js";

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
  const [view, query] = (location.hash || "#lexicon").slice(1).split("?");
  showView(view);
  if (view === "explain" && query) Explainer.follow(query);
}

window.addEventListener("beforeunload", (ev) => { if (Coding.dirty) { ev.preventDefault(); ev.returnValue = ""; } });
window.addEventListener("hashchange", route);
window.addEventListener("popstate", route);
document.addEventListener("DOMContentLoaded", () => {
  Lexicon.init().then(route);
  Explainer.init();
});
window.facs = { Lexicon, Explainer, Coding };
