// The host-page API, when the page is embedded: events posted to the parent (ready, lesson, progress,
// run-finished, state, progress-list, run-exported, program-set, program-finished, error) and commands from it
// (set-lesson, run, get-state, get-progress, export-run, set-program, run-program), only with the origin named by ?origin= (default: this page's own origin; '*'
// is never accepted). The README's "Host-page API" shows both sides.
import { callC } from './bridge.js';
import { exportRun } from './files.js';
import { editorShown, openEditor } from './editor-glue.js';
import { lessonState, progress } from './lessons.js';
import { MAX_COMMAND, MAX_LESSON_ID, sizeText } from './limits.js';
import { permalink } from './links.js';
import { runProgram } from './python.js';
import { run } from './run.js';
import { ready } from './start.js';

const embedded = window.parent !== window;
const state = {
  hostOrigin: location.origin,  // ?origin= names another one
  hostRuns: new Map(),          // ticket -> the command that started it
  lastLessonId: null,           // the lesson the host last heard of
};

// ?origin=: the host page's origin, if it is one.
export function checkHostOrigin() {
  const asked = new URLSearchParams(location.search).get('origin');
  if (asked === null) return;
  let origin = null;
  try {
    origin = new URL(asked).origin;
  } catch (e) {
    origin = null;
  }
  if (!origin || origin === 'null' || origin !== asked.replace(/\/$/, '')) {
    callC('ap_js_note', [`Link: origin=${asked} is not an origin like https://course.example; ` +
      `the host-page API only talks to ${location.origin}.`]);
    return;
  }
  state.hostOrigin = origin;
}

function toHost(message) {
  if (!embedded) return;
  try {
    window.parent.postMessage({ source: 'asyncplay', ...message }, state.hostOrigin);
  } catch (e) {
    // A parent of another origin than hostOrigin: the browser drops the message, as it should.
  }
}

function lessonSummary() {
  const s = lessonState();
  return s ? { id: s.id, index: s.index, number: s.index + 1, count: s.count, title: s.title, claim: s.claim, path: s.path, exercise: s.exercise } : null;
}

// The page is ready: 'ready' carries the first lesson; 'lesson' events the changes.
export function sayReady() {
  const lesson = lessonSummary();
  state.lastLessonId = lesson ? lesson.id : null;
  toHost({ type: 'ready', lesson, version: 1 });
}

export function postLessonIfChanged() {
  const s = lessonSummary();
  if (!s || s.id === state.lastLessonId) return;
  state.lastLessonId = s.id;
  toHost({ type: 'lesson', lesson: s });
}

// A lesson's progress changed (a run judged, a progress file loaded): {lesson, status, checks: [{text,
// passed, measured}]}, as a course page forwards it to its own server.
export function postProgress(record) {
  toHost({ type: 'progress', lesson: record.lesson, status: record.status, checks: record.checks });
}

// A run ended (run()'s result): after the current script, so that a run that ends inside run() is told its
// ticket's command first.
export function runFinished(ticket, result) {
  queueMicrotask(() => {
    const command = state.hostRuns.get(ticket);
    state.hostRuns.delete(ticket);
    toHost({ type: 'run-finished', id: command ? command.id : undefined, result });
  });
}

export function install() {
  window.addEventListener('message', (e) => {
    if (!embedded || e.source !== window.parent || e.origin !== state.hostOrigin) return;
    const m = e.data;
    if (!m || typeof m !== 'object' || m.target !== 'asyncplay') return;
    // (A command's values come from another page: any that cannot be read is answered with an error.)
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
    const command = typeof m.type === 'string' ? m.type.slice(0, 100) : undefined;
    const fail = (message) => toHost({ type: 'error', id, command, message });
    ready.then(() => {
      try {
        return hostCommand(m, id, fail);
      } catch (err) {
        return fail(`the command could not be read: ${String(err && err.message || 'its values are not plain data').slice(0, 200)}`);
      }
    });
  });
}

function hostCommand(m, id, fail) {
  switch (m.type) {
    case 'set-lesson': {
      const which = String(m.lesson);
      if (which.length > MAX_LESSON_ID) return fail(`a lesson id is at most ${MAX_LESSON_ID} characters; this one has ${which.length}`);
      if (callC('ap_js_select_lesson', [which]) < 0) return fail(`no lesson ${which}`);
      return postLessonIfChanged();
    }
    case 'run': {
      const o = m.options && typeof m.options === 'object' ? m.options : {};
      let size = 0;
      try {
        size = JSON.stringify(o).length;
      } catch (err) {
        return fail('the run options are not plain data');
      }
      if (size > MAX_COMMAND) return fail(`the run options are ${sizeText(size)}; a command is at most 64 KB`);
      const started = run({ ...currentSettings(), ...o }, (ticket) => state.hostRuns.set(ticket, { id }));
      return started.catch((err) => fail(err.message));
    }
    case 'get-state':
      return toHost({ type: 'state', id, lesson: lessonSummary(), permalink: permalink() });
    case 'export-run': {
      // The shown run as HAR, a trace, its run file or its requests' CSV (as exportRun gives it).
      const format = String(m.format || 'json');
      try {
        return toHost({ type: 'run-exported', id, format, text: exportRun(format) });
      } catch (err) {
        return fail(err.message);
      }
    }
    case 'get-progress':
      // Every lesson's, with the program that passed each (the learner's answer, for the course to keep).
      return toHost({ type: 'progress-list', id, lessons: progress() });
    case 'set-program':
    case 'run-program': {
      // The learner's own program: shown in the editor, and run (run-program) on the chosen API.
      if (typeof m.source !== 'string') return fail('source must be the program, as a text');
      if (m.source.length > MAX_COMMAND) return fail(`the program is ${sizeText(m.source.length)}; a command is at most 64 KB`);
      if (!editorShown()) callC('ap_js_editor_opened');
      openEditor(m.source);
      if (m.type === 'set-program') return toHost({ type: 'program-set', id });
      const api = m.options && typeof m.options.api === 'string' ? m.options.api : currentSettings().api;
      return runProgram(m.source, { api }).then((result) => toHost({ type: 'program-finished', id, result }), (err) => fail(err.message));
    }
    default:
      return fail(`unknown command ${JSON.stringify(String(m.type).slice(0, 100))}; known: set-lesson, run, get-state, get-progress, export-run, set-program, run-program`);
  }
}

// What the page's controls say now, in run()'s terms: a host's run command changes only what it names.
function currentSettings() {
  return callC('ap_js_desc', [], 'json');
}
