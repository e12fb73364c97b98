/* The workspace's videos: list, upload, pick one; code it with live progress; open its review. */
import { api, sendFile } from "./api.js";
import { $, el, humanSize } from "./dom.js";
import { loadAnnotations, showCoders } from "./annotations.js";
import { baseUrl, player, state, status } from "./state.js";

/* List the videos again; pick selectId if given. */
export async function refresh(selectId) {
  let videos;
  try { videos = await api("/api/videos"); } catch (e) { status(e.message, "error"); return; }
  const sel = $("#video-select");
  const keep = selectId || state.video || "";
  sel.replaceChildren(el("option", { value: "" }, videos.length ? "— pick a video —" : "— no videos yet —"),
    ...videos.map((v) => el("option", { value: v.id }, v.name + (v.coded ? " (coded)" : ""))));
  if (keep && videos.some((v) => v.id === keep)) sel.value = keep;
  if (selectId) await pick(selectId);
}

/* Upload the chosen file with a progress bar, then pick it. */
export async function upload() {
  const file = $("#upload-file").files[0];
  if (!file) { status("Choose a video file first.", "error"); return; }
  if (state.info && file.size > state.info.max_upload) {
    status(`${file.name} is ${humanSize(file.size)}; the limit is ${humanSize(state.info.max_upload)}.`, "error");
    return;
  }
  const bar = $("#job-progress");
  bar.hidden = false; bar.max = file.size || 1; bar.value = 0;
  status("Uploading " + file.name + "…");
  const answer = await sendFile("/api/videos", file, (ev) => {
    if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
    status(`Uploading ${file.name}: ${Math.round(100 * ev.loaded / (ev.total || 1))} %`);
  });
  bar.hidden = true;
  if (!answer) { status("Upload failed: the server did not answer.", "error"); return; }
  const data = answer.data;
  if (answer.ok) {
    status("Uploaded " + data.name + ". Press “Code video” to code it.");
    $("#upload-file").value = "";
    await refresh(data.id);
  } else {
    const d = data && data.detail;
    status("Upload failed: " + (typeof d === "string" ? d : answer.statusText), "error");
  }
}

/* Show a video (id) in the player, with its coding's review if it has one. */
export async function pick(id) {
  if (state.dirty && !confirm("Discard unsaved changes to the annotations?")) {
    $("#video-select").value = state.video || "";
    return;
  }
  state.video = id || null;
  state.frames = null; state.events = []; state.machine = []; state.dirty = false;
  $("#review").hidden = !id;
  $("#coded-part").hidden = true;
  $("#review-tools").hidden = true;
  if (!id) { player().removeAttribute("src"); return; }
  let info;
  try { info = await api(baseUrl()); } catch (e) { status(e.message, "error"); return; }
  state.videoInfo = info;
  showCoders(info.coders);
  // a new URL once a playable copy exists, so the browser does not reuse the unplayable file
  player().src = baseUrl() + "/media" + (info.playback_copy ? "?copy=" + (info.job ? info.job.id : "1") : "");
  if (info.job && (info.job.state === "running" || info.job.state === "queued")) poll(info.job.id);
  else if (info.job && ["error", "interrupted", "cancelled"].includes(info.job.state) && !info.coded) {
    status(`Last coding ${info.job.state}: ${info.job.error}. Press “Code video” to try again.`, "error");
  }
  if (info.coded) { status(info.name + " is coded."); state.face = 0; await review(); }
  else if (!info.job || info.job.state === "done") status("Not coded yet: press “Code video”.");
}

/* The coding options of the form (as facs code takes them): range, neutral span, actor. */
function codeOptions() {
  const number = (id) => { const v = $(id).value.trim(); return v === "" ? null : Number(v); };
  return {
    start: number("#code-start"), end: number("#code-end"),
    neutral: $("#code-neutral").value.trim() || null, actor: $("#code-actor").value || null,
  };
}

export async function startJob() {
  if (!state.video) { status("Pick or upload a video first.", "error"); return; }
  try {
    const job = await api(baseUrl() + "/code", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(codeOptions()),
    });
    poll(job.id);
  } catch (e) { status(e.message, "error"); }
}

export async function cancelJob() {
  if (!state.job) return;
  try { await api("/api/jobs/" + encodeURIComponent(state.job) + "/cancel", { method: "POST" }); }
  catch (e) { status(e.message, "error"); }
}

/* Follow a coding job until it ends; then open the review of its video. */
export async function poll(jobId) {
  if (state.job === jobId) return;
  state.job = jobId;
  const bar = $("#job-progress");
  bar.hidden = false;
  $("#cancel-button").hidden = false;
  $("#code-button").disabled = true;
  try {
    for (;;) {
      let job;
      try { job = await api("/api/jobs/" + encodeURIComponent(jobId)); } catch (e) { status(e.message, "error"); return; }
      if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute("value"); }
      const count = job.total ? `${job.done} / ${job.total} frames` : `${job.done} frames`;
      status(`Coding ${job.video}: ${job.step || job.state}, ${count}`);
      if (job.state === "done") {
        status(`Coded ${job.video}.`);
        await refresh();
        if (job.video === state.video) await pick(state.video);
        return;
      }
      if (job.state !== "running" && job.state !== "queued") {
        status(`Coding ${job.state}: ${job.error}`, "error");
        return;
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  } finally {
    state.job = null;
    bar.hidden = true;
    $("#cancel-button").hidden = true;
    $("#code-button").disabled = false;
  }
}

/* Load the coding of the face on show (its curves), then the coder's annotations. */
export async function review() {
  try { state.frames = await api(baseUrl() + "/frames?face=" + state.face); } catch (e) { status(e.message, "error"); return; }
  const faces = state.frames.faces;
  $("#face-label").hidden = faces.length < 2;
  $("#face-select").replaceChildren(...faces.map((f) => el("option", { value: f }, "face " + f)));
  $("#face-select").value = String(state.frames.face);
  $("#coded-part").hidden = false;
  $("#review-tools").hidden = false;
  await loadAnnotations(false);
}
