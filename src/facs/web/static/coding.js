/* The coding view: wires its controls to the modules that do the work (videos, annotations,
   editor, timeline), and gathers them as window.facs.Coding for tests and benchmarks. */
import { api } from "./api.js";
import { $, el, humanSize } from "./dom.js";
import { loadAnnotations, save, select, table } from "./annotations.js";
import { addAt, applyEditor, clickTimeline, deleteSelected, key } from "./editor.js";
import { player, state, status } from "./state.js";
import { draw, layout, tick, visibleColumns } from "./timeline.js";
import { cancelJob, pick, poll, refresh, review, startJob, upload } from "./videos.js";

/* Set the view up the first time it is shown. */
export function init() {
  if (state.ready) return;
  state.ready = true;
  $("#upload-form").addEventListener("submit", (ev) => { ev.preventDefault(); upload(); });
  $("#video-select").addEventListener("change", () => pick($("#video-select").value));
  $("#code-button").addEventListener("click", () => startJob());
  $("#rescan-button").addEventListener("click", () => refresh());
  $("#cancel-button").addEventListener("click", () => cancelJob());
  $("#save-button").addEventListener("click", () => save());
  $("#reload-button").addEventListener("click", () => loadAnnotations(true));
  $("#coder-name").addEventListener("change", () => loadAnnotations(true));
  $("#face-select").addEventListener("change", () => { state.face = parseInt($("#face-select").value, 10); review(); });
  $("#ev-add").addEventListener("click", () => addAt(player().currentTime));
  $("#ev-apply").addEventListener("click", () => applyEditor());
  $("#ev-delete").addEventListener("click", () => deleteSelected());
  $("#timeline").addEventListener("click", (ev) => clickTimeline(ev));
  $("#all-curves").addEventListener("change", () => draw());
  const video = player();
  video.addEventListener("timeupdate", () => tick());
  video.addEventListener("seeked", () => tick());
  video.addEventListener("loadedmetadata", () => draw());
  video.addEventListener("error", () => status(
    "This browser cannot play this video's format. Press “Code video”: coding also makes a playable copy.", "error"));
  document.addEventListener("keydown", (ev) => key(ev));
  api("/api/info").then((info) => {
    state.info = info;
    $("#code-actor").replaceChildren(el("option", { value: "" }, "none"),
      ...(info.actors || []).map((a) => el("option", { value: a }, a)));
    $("#upload-hint").textContent = `Upload ${info.video_suffixes.join(", ")} up to ${humanSize(info.max_upload)}, `
      + `or put videos in ${info.workspace}/videos and pick them above.`;
  }).catch(() => {});
  refresh();
}

/* The view's state (video, frames, events, selected, dirty, info …) with its actions; no action
   is named like a field of the state (undo and redo are the undo stacks there). */
export const Coding = Object.assign(state, {
  init, refresh, upload, pick, startJob, cancelJob, poll, review, loadAnnotations, save,
  table, select, addAt, applyEditor, deleteSelected, tick, layout, draw, visibleColumns,
});
