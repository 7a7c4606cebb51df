// Files for the learner: downloads (a run file, the history as CSV, the results panel as a PNG) and the
// chooser that loads a run file.
import { Module, callC } from './bridge.js';
import { announce } from './a11y.js';
import { MAX_PROGRESS_FILE, MAX_RUN_FILE, fetchLinkedText, sizeText } from './limits.js';

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function saveFile(name, mime, text) {
  download(name, new Blob([text], { type: mime }));
  announce(`Saved ${name}.`);
}

// The browser's file chooser for one file of these kinds; `then` gets the file picked.
function chooseFile(accept, then) {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  input.addEventListener('change', () => {
    const file = input.files && input.files[0];
    if (file) then(file);
  }, { once: true });
  input.click();
}

export function openFile() {
  chooseFile('.json,.har,application/json', (file) => loadRunFile(file.name, file));
}

// The results panel as a picture: called right after the frame that drew it, while the canvas holds it.
export function savePng(x, y, w, h) {
  const canvas = Module.canvas;
  const sx = canvas.width / canvas.clientWidth, sy = canvas.height / canvas.clientHeight;
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(w * sx));
  out.height = Math.max(1, Math.round(h * sy));
  out.getContext('2d').drawImage(canvas, x * sx, y * sy, w * sx, h * sy, 0, 0, out.width, out.height);
  out.toBlob((blob) => {
    if (blob) {
      download('asyncplay-results.png', blob);
      announce('Saved asyncplay-results.png.');
    } else {
      announce('The picture could not be made.');
    }
  }, 'image/png');
}

// Load progress...: a progress file saved on this or another browser, joined into this one's.
export function openProgress() {
  chooseFile('.json,application/json', (file) => {
    const fail = (why) => callC('ap_js_load_progress', [file.name, '', why]);
    if (file.size > MAX_PROGRESS_FILE) return fail(`it is ${sizeText(file.size)}; a progress file is at most 4 MB`);
    return file.text().then((text) => callC('ap_js_load_progress', [file.name, text, '']), (e) => fail(e.message || 'the browser could not read it'));
  });
}

// The shown run as text: 'har' (HAR 1.2), 'trace' (Chrome's trace-event JSON), 'json' (its run file) or
// 'csv' (its requests). Another format throws, naming the four.
export function exportRun(format = 'json') {
  const f = String(format);
  if (!['har', 'trace', 'json', 'csv'].includes(f)) throw new Error(`exportRun: "${f.slice(0, 40)}" is not a format; one of har, trace, json, csv`);
  return callC('ap_js_export_run', [f], 'text');
}

// A run file's text to C++, which reads it strictly; true when it was shown.
export function loadRunText(name, text) {
  if (text.length > MAX_RUN_FILE) return callC('ap_js_load_run', [name, '', `it is ${sizeText(text.length)}; a run file is at most 16 MB`]) === 1;
  return callC('ap_js_load_run', [name, text, '']) === 1;
}

// A run file or a HAR dropped on the page loads as Load run... does.
export function install() {
  window.addEventListener('dragover', (e) => {
    if (e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files')) e.preventDefault();
  });
  window.addEventListener('drop', (e) => {
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (!file) return;
    e.preventDefault();
    loadRunFile(file.name, file);
  });
}

// ?har=<url>: a HAR to show as a recorded run (a DevTools recording a course links to). Fetched once, with
// the run file's size cap and a deadline; what goes wrong is said where a bad file is.
export async function loadLinkedHar() {
  const url = new URLSearchParams(location.search).get('har');
  if (!url) return;
  const name = (url.split('/').pop() || url).slice(0, 80);
  try {
    loadRunText(name, await fetchLinkedText(url, MAX_RUN_FILE, '16 MB', 'a HAR'));
  } catch (e) {
    callC('ap_js_load_run', [name, '', e.message]);
  }
}

function loadRunFile(name, file) {
  const fail = (why) => callC('ap_js_load_run', [name, '', why]);
  if (file.size > MAX_RUN_FILE) return fail(`it is ${Math.round(file.size / 1048576)} MB; a run file is at most 16 MB`);
  file.text().then((text) => loadRunText(name, text),
    (e) => fail(e.message || 'the browser could not read it'));
}
