// The program editor on the page: a DOM element over the code panel, which C++ places (apEditorRect), with
// Run, Stop, Reset, Empty, Close and a status line; the editor itself is web/editor.mjs (CodeMirror 6,
// bundled as editor.js and loaded on first use).
import { Module, callC } from './bridge.js';
import { lastBoot, runProgram, runningSource, startPython, stopProgram } from './python.js';

const EMPTY_PROGRAM = 'import asyncio\nimport httpx\n\nBASE = "http://127.0.0.1:8000/inpage"\n\n\nasync def main():\n' +
  '    async with httpx.AsyncClient() as client:\n        reply = await client.get(f"{BASE}/api/delay/300")\n' +
  '        print(reply.status_code, reply.json())\n\n\nasyncio.run(main())\n';
// The editor once made: {box, status, counts, run, stop, cm: the CodeMirror wrapper or null while it loads,
// busy, pending: a program that came while it loaded, runWhenReady}.
const state = { editor: null };

// What tests and the other modules read of it.
export const editorShown = () => !!state.editor && !state.editor.box.hidden;
export const editorText = () => (state.editor && state.editor.cm ? state.editor.cm.text() : null);
export const editorCounts = () => (state.editor && state.editor.cm ? state.editor.cm.counts() : []);
export const editorLitLine = () => (state.editor && state.editor.cm ? state.editor.cm.litLineNumber() : 0);
// The program typed, when the editor is open (Copy link carries it); '' otherwise.
export const openProgramText = () => (state.editor && state.editor.cm && !state.editor.box.hidden ? state.editor.cm.text() : '');

function editorStatus(text, line = 0) {
  const { editor } = state;
  const s = editor.status;
  s.textContent = text;
  s.classList.toggle('error', line > 0);
  s.onclick = line > 0 ? () => editor.cm && editor.cm.goToLine(line) : null;
  s.title = line > 0 ? 'Go to the line' : '';
}

async function runFromEditor() {
  const { editor } = state;
  if (!editor || !editor.cm || editor.busy) return;
  editor.busy = true;
  editor.run.disabled = true;
  editor.stop.disabled = false;
  editor.cm.markLine(0);
  editorStatus(lastBoot() ? 'Running...' : 'Starting Python (the first time takes a few seconds)...');
  try {
    const desc = callC('ap_js_desc', [], 'json');
    const r = await runProgram(editor.cm.text(), { api: desc.api });
    if (r.stopped) editorStatus(`Stopped after ${Math.round(r.wallMs)} ms; ${r.requests.length} requests were made.`);
    else if (r.error) {
      editorStatus(r.error.line ? `line ${r.error.line}: ${r.error.message}` : r.error.message, r.error.line);
      editor.cm.markLine(r.error.line);
    } else editorStatus(`Done in ${callC('ap_js_duration_text', [r.wallMs], 'text')}: ${r.requests.length} requests, on the waterfall.`);
  } catch (e) {
    editorStatus(String(e.message || e));
  } finally {
    editor.busy = false;
    editor.run.disabled = false;
    editor.stop.disabled = true;
  }
}

// Shows `program` in the editor, made (and its CodeMirror loaded) the first time (Module.apOpenEditor too).
export function openEditor(program) {
  const { editor } = state;
  if (!editor) makeEditor(program);
  else if (editor.cm) {
    editor.cm.setText(program);
    editor.cm.focus();
  } else {
    editor.pending = program;
  }
}

function makeEditor(program) {
  const box = document.createElement('section');
  box.id = 'editor';
  box.setAttribute('aria-label', 'Your program');
  box.hidden = true;
  box.innerHTML = '<div class="editor-bar"><button type="button" data-act="run" title="Ctrl+Enter">Run</button>' +
    '<button type="button" data-act="stop" disabled>Stop</button><button type="button" data-act="reset">Reset to the lesson\'s program</button>' +
    '<button type="button" data-act="empty">Empty</button><button type="button" data-act="close">Close</button>' +
    '<span class="editor-status" role="status" aria-live="polite"></span><span class="editor-counts"></span></div>' +
    '<div class="editor-host"></div>';
  document.body.appendChild(box);
  const button = (act) => box.querySelector(`[data-act="${act}"]`);
  const editor = { box, status: box.querySelector('.editor-status'), counts: box.querySelector('.editor-counts'), run: button('run'),
    stop: button('stop'), cm: null, busy: false, pending: null, runWhenReady: false };
  state.editor = editor;
  editor.run.onclick = runFromEditor;
  editor.stop.onclick = () => { if (stopProgram()) editorStatus('Stopping...'); };
  button('reset').onclick = () => { editor.cm && editor.cm.setText(callC('ap_js_editor_program', [], 'text')); };
  button('empty').onclick = () => { editor.cm && editor.cm.setText(EMPTY_PROGRAM); };
  button('close').onclick = () => {
    editor.box.hidden = true;
    callC('ap_js_editor_closed');
    Module.canvas.focus();
  };
  editorStatus('Loading the editor...');
  import(new URL('editor.js', document.baseURI).href).then((m) => {
    editor.cm = m.createEditor(box.querySelector('.editor-host'), editor.pending || program, { onRun: runFromEditor });
    editor.pending = null;
    editorStatus('Edit the program, then Run (Ctrl+Enter). Its requests go through this page, onto the waterfall.');
    editor.cm.focus();
    startPython();  // the few seconds Python takes to start, spent while the learner reads or edits
    if (editor.runWhenReady) {
      editor.runWhenReady = false;
      runFromEditor();
    }
  }, (e) => editorStatus(`The editor could not load: ${e.message || e}`));
}

// The page's own Run button on a lesson's own program: the editor runs what it holds (Module.apRunEditor).
export function runEditor() {
  const { editor } = state;
  if (!editor) return;
  if (editor.cm) runFromEditor();
  else editor.runWhenReady = true;
}

// A clicked bar's line, lit (Module.apEditorLine).
export function lightLine(line) {
  if (state.editor && state.editor.cm) state.editor.cm.litLine(line);
}

// Where the program's requests are, by line (Module.apEditorCounts): shown only while the editor holds that
// program (the one running, or the replayed run's), so no count lands on a line that did not make it.
export function showCounts(json) {
  const { editor } = state;
  if (!editor || !editor.cm) return;
  const c = JSON.parse(json);
  const source = c.source || runningSource();
  const lines = source !== null && source === editor.cm.text() ? c.lines : [];
  editor.cm.setCounts(lines);
  editor.counts.textContent = lines.map((l) => `line ${l.line}: ${l.text}`).join(' \u00b7 ');
}

// Where the code panel is, in CSS pixels (Module.apEditorRect); a width of 0 hides the editor.
export function place(x, y, w, h) {
  const { editor } = state;
  if (!editor) return;
  editor.box.hidden = w <= 0;
  Object.assign(editor.box.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
}
