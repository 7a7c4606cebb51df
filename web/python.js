// The learner's own Python, from the page's side: web/python-host.js (the sealed frame and its workers,
// loaded on first use) gives one worker per program. Each request of the program is made by the page's C++
// transport (ap_js_program_request), timed on the page's clock and drawn like any run's; each answer goes
// back to the program (Module.apProgramAnswer). A spare worker starts after each program.
import { callC } from './bridge.js';
import { MAX_PROGRAM_OUTPUT, MAX_PROGRAM_SOURCE, sizeText } from './limits.js';
import { whenEnded } from './run.js';
import { ready } from './start.js';

const state = {
  host: null,     // Promise of python-host.js's host
  hostNow: null,  // the host, once loaded
  program: null,  // the program running: {source, output, cutBytes, cutLines, waiting, byId, session, ended}
};

function loadPythonHost() {
  if (!state.host) {
    state.host = import(new URL('python-host.js', document.baseURI).href).then((m) => {
      state.hostNow = m.createPythonHost(document.baseURI);
      return state.hostNow;
    });
    state.host.catch(() => { state.host = null; });
  }
  return state.host;
}

// What the host says of itself (null or 0 before Python was first wanted): its last start's figures, the
// workers alive, whether a spare is ready for the next Run.
export const lastBoot = () => (state.hostNow ? state.hostNow.lastBoot : null);
export const workers = () => (state.hostNow ? state.hostNow.workers : 0);
export const spareReady = () => !!state.hostNow && state.hostNow.spareReady;
// The text of the program running, or null.
export const runningSource = () => (state.program ? state.program.source : null);

// A spare Python starts (the editor opened, a program ended): the next Run finds it ready. Once it is, and
// no run is in flight, Python's memory for later starts is made in the background if none is kept yet.
export function startPython() {
  loadPythonHost().then((h) => h.prepare()).then(keepMemoryWhenIdle, () => {});
}

function keepMemoryWhenIdle() {
  if (!idle.busy && !state.program && state.hostNow) state.hostNow.keepMemorySoon().catch(() => {});
}

// Python also starts while the learner reads: after the first frame, once the page is idle, so that a
// program written later runs at once. Not in a frame (a course page may hold several playgrounds), not on a
// phone on a metered or data-saving connection, and not with ?python=editor (then it starts when the
// editor opens). A run gets the machine to itself: a Python still starting stops, and starts again after.
const IDLE_AFTER_MS = 1500;
const idle = { armed: false, busy: false, timer: 0 };

export function idleStartAllowed() {
  const c = navigator.connection;
  const phone = matchMedia('(pointer: coarse)').matches;
  if (new URLSearchParams(location.search).get('python') === 'editor') return false;
  if (window.top !== window) return false;
  if (c && c.saveData) return false;
  if (phone && c && (c.type === 'cellular' || /2g/.test(String(c.effectiveType || '')))) return false;
  return true;
}

export function startWhenIdle() {
  if (!idleStartAllowed()) return;
  idle.armed = true;
  clearTimeout(idle.timer);
  idle.timer = setTimeout(() => {
    const go = () => {
      if (!idle.armed || idle.busy) return;
      idle.armed = false;
      startPython();
    };
    if (window.requestIdleCallback) requestIdleCallback(go, { timeout: 3000 });
    else go();
  }, IDLE_AFTER_MS);
}

// A run began (Module.apRunStarted), or Run was pressed for a real API: a spare still starting stops (not
// for the learner's program, which takes it), and so does the making of Python's memory; both start again
// once the run is over.
export function runStarted(program) {
  idle.busy = true;
  if (!state.hostNow) return;
  state.hostNow.dropKeeper();  // (made again once the run is over)
  if (!program && state.hostNow.dropBootingSpare()) idle.armed = true;
}

export function runEnded() {
  idle.busy = false;
  if (idle.armed) startWhenIdle();
  else setTimeout(keepMemoryWhenIdle, 500);
}

function onPython(run, m) {
  if (run.ended) return;
  if (m.type === 'output') {
    const room = Math.max(0, MAX_PROGRAM_OUTPUT - run.output.length);
    const kept = m.text.slice(0, room);
    run.output += kept;
    run.cutBytes = Math.max(run.cutBytes, m.cutBytes);
    run.cutLines = Math.max(run.cutLines, m.cutLines);
    // (Shown as it comes: the results panel follows the end while the program runs.)
    if (kept || m.cutBytes) callC('ap_js_program_output', [kept, run.cutBytes, run.cutLines]);
  } else if (m.type === 'request') {
    const session = run.session;
    programRequest(run, m, (answer) => session.send({ type: 'answer', id: m.id, ...answer }));
  } else if (m.type === 'cancel') {
    // (The page's end of it goes back to the worker, which no longer waits for it.)
    const index = run.byId.get(m.id);
    if (index !== undefined) callC('ap_js_program_cancel', [index]);
  } else if (m.type === 'started') {
    callC('ap_js_program_started', [m.at - performance.timeOrigin]);
  } else if (m.type === 'done') {
    run.cutBytes = Math.max(run.cutBytes, m.cutBytes);
    run.cutLines = Math.max(run.cutLines, m.cutLines);
    // (The trace's times are the worker's performance.now(): the page's clock is `shift` ms behind it.)
    endProgram(run, m.error, m.at - performance.timeOrigin, false, m.trace ? { text: m.trace, shift: m.origin - performance.timeOrigin } : null);
  }
}

// A request of the program: made by the page's transport; `reply` gets its end ({outcome, status, body,
// error}), or why it was refused.
function programRequest(run, ask, reply) {
  const asked = { url: ask.url, line: ask.line, task: ask.task, taskId: ask.taskId, thread: ask.thread, threadId: ask.threadId,
    timeoutMs: ask.timeoutMs, queuedMs: ask.queuedMs, blocking: ask.blocking };
  const r = callC('ap_js_program_request', [JSON.stringify(asked)], 'json');
  if (r.error !== undefined && r.limit) {
    // The request over the cap: the program ends here, at the line that made it, whatever it would catch.
    return endProgram(run, { line: ask.line, message: `${r.error}: the program was stopped at the one over that, which this line made`, traceback: '' }, NaN);
  }
  if (r.error !== undefined) return reply({ outcome: 'refused', error: r.error });
  run.byId.set(ask.id, r.index);
  run.waiting.set(r.index, reply);
}

// The answer to a program's request (Module.apProgramAnswer).
export function programAnswer(index, json, body) {
  const run = state.program;
  if (!run || !run.waiting.has(index)) return;
  const reply = run.waiting.get(index);
  run.waiting.delete(index);
  const a = JSON.parse(json);
  reply({ outcome: a.outcome, status: a.status, body, error: a.reason });
}

// The program's end, however it came (its last line, an error, Stop, its worker gone): the run ends with
// its text, and the worker goes; a spare one starts for the next program.
function endProgram(run, error, atMs, stopped = false, trace = null) {
  if (run.ended) return;
  run.ended = true;
  if (state.program === run) state.program = null;
  if (run.session) run.session.kill();
  callC('ap_js_program_end', [JSON.stringify({ source: run.source, output: run.output, error: error || null,
    atMs: Number.isFinite(atMs) ? atMs : null, stopped, outputCut: { bytes: run.cutBytes, lines: run.cutLines },
    traceShiftMs: trace && Number.isFinite(trace.shift) ? trace.shift : null }), trace ? trace.text : '']);
  setTimeout(startPython, 300);
}

// Stop: the program ends now, at whatever point it is (Python still starting, computing, waiting), its
// worker with it; its open requests are cancelled; its text and what it printed stay with the run. Also
// Module.apStopProgram (the page's Cancel, or another run, while a program runs). True if one was running.
export function stopProgram() {
  if (!state.program) return false;
  endProgram(state.program, null, NaN, true);
  return true;
}

// Runs a program: {api: 'page' | 'server' | 'simulated', serverBase}. Resolves with run()'s result plus
// stdout, error (null or {line, message, traceback}) and each request's line and task. The run begins at
// once (Stop works from here, while Python starts too); its wall time begins when the program does.
export function runProgram(source, options = {}) {
  const api = options && typeof options.api === 'string' ? options.api : 'page';
  return ready.then(() => {
    if (typeof source !== 'string') throw new Error('the program must be a text');
    if (source.length > MAX_PROGRAM_SOURCE) throw new Error(`the program is ${sizeText(source.length)}; a program is at most 1 MB`);
    if (options && typeof options.serverBase === 'string') callC('ap_js_set_server_base', [options.serverBase]);
    stopProgram();  // one program at a time: a new one ends the one running (and its worker)
    const started = callC('ap_js_program_begin', [JSON.stringify({ api, spread: !(options && options.spread === false) })], 'json');
    if (!started.ticket) throw new Error(started.error || 'the playground refused the program');
    const run = { source, output: '', cutBytes: 0, cutLines: 0, waiting: new Map(), byId: new Map(), session: null, ended: false };
    state.program = run;
    const result = whenEnded(started.ticket);
    // (Simulated: nothing leaves the page, but httpx wants a real URL: the in-page API's address.)
    const base = new URL(started.api === 'simulated' || !started.base ? 'inpage' : started.base, document.baseURI).href.replace(/\/$/, '');
    loadPythonHost().then(async (host) => {
      if (run.ended) return;
      const session = host.take();
      run.session = session;
      session.onexit = (why) => endProgram(run, { line: 0, message: why, traceback: '' }, NaN);
      await session.ready;
      if (run.ended) return session.kill();
      session.onmessage = (m) => onPython(run, m);
      session.run(source, base);
    }).catch((e) => endProgram(run, { line: 0, message: String(e.message || e).startsWith('Python') ? String(e.message || e)
      : `Python could not start: ${e.message || e}`, traceback: '' }, NaN));
    return result;
  });
}
