/* Talking to the server: JSON requests, face render URLs and file uploads. */

export async function api(path, options = {}) {
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

export function renderUrl(code, view = "front", identity = 0) {
  return "/api/render/" + encodeURIComponent(code) + ".png?view=" + encodeURIComponent(view)
    + (Number(identity) ? "&identity=" + encodeURIComponent(identity) : "");
}

/* POST one file as the form field "file", calling onProgress(event) as it goes up.
   Resolves to { ok, data, statusText } once the server answers, or null if it does not. */
export function sendFile(path, file, onProgress) {
  const form = new FormData();
  form.append("file", file);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.upload.addEventListener("progress", onProgress);
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = { detail: xhr.responseText }; }
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, data, statusText: xhr.statusText });
    });
    xhr.addEventListener("error", () => resolve(null));
    xhr.send(form);
  });
}
