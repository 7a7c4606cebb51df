// The learner's own Python: CPython (Pyodide) with httpx and requests from Debian's packages, in a Web Worker
// that a sealed frame starts (web/python-host.js). The program is untrusted code from a link, so this worker
// has an opaque origin (no Cache Storage, IndexedDB or cookies of the page's origin) and a policy that lets
// it connect nowhere; it fetches nothing. The page hands it Pyodide's files as bytes and, where the page kept
// one, Python's memory after start-up. The program's HTTP calls are made by the page, which draws them.
//
// One worker runs one program, then the page ends it: every program starts from the interpreter as it was
// after start-up, never from what an earlier program left.
//
// The frame posts one message: {port, files: {name: Uint8Array}, memory: Uint8Array | null, module:
// WebAssembly.Module | null, keepMemory}. Everything after goes over `port`, which no code but this file's
// can reach (a classic script whose names all live inside one function):
//   page -> worker: {type: 'run', source, base}
//                   {type: 'answer', id, outcome, status, body, error}   the end of a request
//   worker -> page: {type: 'memory', bytes}             Python's memory after the imports (keepMemory only)
//                   {type: 'ready', bootMs, phases} | {type: 'boot-failed', message}
//                   {type: 'started', at}               the program begins (the page's clock: timeOrigin + now)
//                   {type: 'request', id, method, url, line, task, timeoutMs, queuedMs, blocking}
//                   {type: 'cancel', id}                a task gave up waiting for request id
//                   {type: 'output', text, cutBytes, cutLines}   printed text, in batches, and what was cut
//                   {type: 'done', error: null | {line, message, traceback}, at, cutBytes, cutLines, trace, origin}
//                        trace: the prelude's trace_json() ('' if none), its times in this worker's
//                        performance.now() ms; origin: this worker's performance.timeOrigin
(() => {
  'use strict';

  const OUTPUT_LIMIT = 1 << 20;     // bytes of printed text a run keeps (the page and the C++ hold the same)
  const OUTPUT_BATCH = 64 * 1024;   // printed text goes to the page at most every 100 ms or 64 KB
  const OUTPUT_EVERY_MS = 100;

  let port = null;
  const send = (message, transfer = []) => port.postMessage(message, transfer);
  const clockNow = () => performance.timeOrigin + performance.now();

  // ---- What the program prints: kept up to OUTPUT_LIMIT bytes, the rest counted, never an error. ----
  const output = { kept: 0, cutBytes: 0, cutLines: 0, pending: [], pendingBytes: 0, lastSent: 0, timer: 0,
    decoder: new TextDecoder() };
  function countLines(bytes) {
    let n = 0;
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
    return n;
  }
  function flushOutput() {
    clearTimeout(output.timer);
    output.timer = 0;
    output.lastSent = performance.now();
    if (!output.pending.length && !output.cutBytes) return;
    const joined = new Uint8Array(output.pendingBytes);
    let at = 0;
    for (const part of output.pending) {
      joined.set(part, at);
      at += part.length;
    }
    output.pending = [];
    output.pendingBytes = 0;
    for (let from = 0; from < joined.length || from === 0; from += OUTPUT_BATCH) {  // (at most a batch a message)
      const text = output.decoder.decode(joined.subarray(from, from + OUTPUT_BATCH), { stream: true });
      send({ type: 'output', text, cutBytes: output.cutBytes, cutLines: output.cutLines });
    }
  }
  let running = false;  // (what start-up prints, a warning of a library, is nobody's output)
  function write(buffer) {
    if (!running) return buffer.length;
    try {
      let take = Math.min(Math.max(OUTPUT_LIMIT - output.kept, 0), buffer.length);
      if (take < buffer.length) while (take > 0 && (buffer[take] & 0xc0) === 0x80) take--;  // (a whole character)
      if (take > 0) {
        output.pending.push(buffer.slice(0, take));
        output.pendingBytes += take;
        output.kept += take;
      }
      if (take < buffer.length) {
        const rest = buffer.subarray(take);
        output.cutBytes += rest.length;
        output.cutLines += countLines(rest);
      }
      if (output.pendingBytes >= OUTPUT_BATCH || performance.now() - output.lastSent >= OUTPUT_EVERY_MS) flushOutput();
      else if (!output.timer) output.timer = setTimeout(flushOutput, OUTPUT_EVERY_MS);
    } catch (e) {
      // (printing never fails the program)
    }
    return buffer.length;
  }

  // ---- The program's requests: each handed to the page, which makes it and answers. ----
  const blockingWaits = new Map();  // id -> resolve, for the blocking calls (one at a time, in practice)
  let nextBlocking = 1;
  let answerPy = null;  // the prelude's _answer(call, json), for the requests of asyncio tasks
  // (The prelude's calls give these; a program calling the same functions may give anything, and gets what
  // fits the page's shape: texts cut, numbers in range.)
  function askOf(askJson) {
    const a = JSON.parse(String(askJson));
    const text = (v, fallback, max) => (typeof v === 'string' ? v : fallback).slice(0, max);
    const whole = (v, max) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(Math.max(Math.floor(v), 0), max) : 0);
    return { method: text(a.method, 'GET', 16), url: text(a.url, '', 8192), line: whole(a.line, 1e6), task: text(a.task, '', 200),
      taskId: typeof a.taskId === 'number' && Number.isInteger(a.taskId) && a.taskId >= -1 && a.taskId <= 1e6 ? a.taskId : -1,
      timeoutMs: whole(a.timeoutMs, 3.6e6), queuedMs: typeof a.queuedMs === 'number' && Number.isFinite(a.queuedMs) ? Math.min(Math.max(a.queuedMs, 0), 1e9) : 0 };
  }
  // Called by the prelude (Python, through `js`): an asyncio task's request; its answer comes to _answer.
  const pagePost = (id, askJson) => send({ type: 'request', id: `a${id | 0}`, blocking: false, ...askOf(askJson) });
  const pageCancel = (id) => send({ type: 'cancel', id: `a${id | 0}` });
  // A blocking call (requests, httpx.Client): a promise that Python waits on with its whole thread.
  const pageRequestSync = (askJson) => new Promise((resolve) => {
    const id = `b${nextBlocking++}`;
    blockingWaits.set(id, resolve);
    send({ type: 'request', id, blocking: true, ...askOf(askJson) });
  });
  const pageSleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(ms) || 0)));
  let started = false;
  const programStarted = () => {
    if (started) return;
    started = true;
    send({ type: 'started', at: clockNow() });
  };

  function onPage(event) {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'answer') {
      const id = String(m.id);
      const answer = JSON.stringify({ outcome: String(m.outcome || 'ok'), status: m.status | 0, body: String(m.body || ''),
        error: String(m.error || '') });
      if (id[0] === 'b') {
        const resolve = blockingWaits.get(id);
        blockingWaits.delete(id);
        if (resolve) resolve(answer);
      } else if (id[0] === 'a' && answerPy) {
        answerPy(Number(id.slice(1)), answer);
      }
    } else if (m.type === 'run') {
      runProgram(String(m.source), String(m.base));
    }
  }

  // ---- Start-up: Pyodide from the bytes the page handed over. ----
  const MIME = { mjs: 'text/javascript', wasm: 'application/wasm', json: 'application/json', zip: 'application/zip' };
  let py = null;
  async function boot(m) {
    const t0 = performance.now();
    const phases = { fromSnapshot: !!m.memory };
    const mark = (name, since) => { phases[name] = Math.round(performance.now() - since); return performance.now(); };
    const files = m.files;
    const type = (name) => MIME[name.split('.').pop()] || 'application/octet-stream';
    // Pyodide asks for its files by URL; they are answered from the bytes, and nothing else is (this
    // frame's policy refuses every connection anyway, and this says why).
    self.fetch = async (url) => {
      const name = String(url).split('/').pop();
      if (Object.prototype.hasOwnProperty.call(files, name)) return new Response(files[name], { headers: { 'Content-Type': type(name) } });
      throw new TypeError(NO_NETWORK);
    };
    if (m.module instanceof WebAssembly.Module) {
      // Compiled once by the frame: every worker shares its code (and the browser's optimised tiers of it).
      const compiled = m.module;
      WebAssembly.instantiateStreaming = async (response, imports) => ({ module: compiled, instance: await WebAssembly.instantiate(compiled, imports) });
    }
    const moduleUrl = (name) => URL.createObjectURL(new Blob([files[name]], { type: 'text/javascript' }));
    const { loadPyodide } = await import(moduleUrl('pyodide.mjs'));
    const asm = await import(moduleUrl('pyodide.asm.mjs'));
    const lock = JSON.parse(new TextDecoder().decode(files['pyodide-lock.json']));
    const options = { indexURL: 'https://python.invalid/', createPyodideModule: asm.default, lockFileContents: lock,
      stdLibURL: 'https://python.invalid/python_stdlib.zip', stdout: () => {}, stderr: () => {} };
    py = await loadPyodide(m.memory ? { ...options, _loadSnapshot: m.memory } : { ...options, _makeSnapshot: !!m.keepMemory });
    let t = mark('interpreter', t0);
    // (From memory too: the files live outside Python's memory, and a program may import what was not.)
    py.unpackArchive(files['site.zip'], 'zip', { extractDir: '/lib/asyncplay' });
    t = mark('packages', t);
    py.runPython(IMPORTS);
    // httpx's and asyncio's paths run a few times with no network, so that they are warm (the interpreter's
    // specialised bytecode, the browser's compiled code) before the learner's program needs them: before a
    // memory is taken, so that a start from it begins warm; else after the prelude (below).
    if (m.keepMemory) {
      await py.runPythonAsync(WARM_UP);
      t = mark('warmUp', t);
    }
    if (!m.memory && m.keepMemory) {
      // Taken before the prelude, which holds JavaScript functions that a memory cannot keep. The page
      // keeps it, with its hash, where no worker can write; this worker has run nothing of a learner's yet.
      try {
        const memory = py.makeMemorySnapshot();
        send({ type: 'memory', bytes: memory }, [memory.buffer]);
      } catch (e) {
        // (no memory kept: the next start is a long one too)
      }
      t = mark('keep', t);
    }
    py.setStdout({ write });
    py.setStderr({ write });
    Object.assign(globalThis, { page_post: pagePost, page_cancel: pageCancel, page_request_sync: pageRequestSync,
      page_sleep: pageSleep, program_started: programStarted, page_now: () => performance.now() });
    await py.runPythonAsync(PRELUDE);
    answerPy = py.globals.get('_answer');
    t = mark('imports', t);
    if (!m.memory && !m.keepMemory) {
      await py.runPythonAsync(WARM_UP);
      mark('warmUp', t);
    }
    seal();
    send({ type: 'ready', bootMs: performance.now() - t0, phases });
  }

  // What a program cannot do from here, said in words rather than as a browser error: close this worker
  // (the page would wait for it), or post to the frame (which does not listen).
  const NO_NETWORK = "the page's Python reaches the network only through httpx and requests, whose requests the page makes " +
    'and draws (pyodide.http.pyfetch, js.fetch and XMLHttpRequest cannot reach it)';
  function seal() {
    const refuse = (what) => () => { throw new Error(`a program cannot ${what} here`); };
    for (const [name, what] of [['close', 'close its Python'], ['postMessage', 'post to the page except through httpx and requests']]) {
      Object.defineProperty(self, name, { value: refuse(what), writable: false, configurable: false });
    }
    // (The frame's policy refuses these too, but only as an error event later; this says why, at once.)
    for (const name of ['WebSocket', 'EventSource', 'WebTransport']) {
      Object.defineProperty(self, name, { value: function Refused() { throw new TypeError(NO_NETWORK); }, writable: false, configurable: false });
    }
  }

  async function runProgram(source, base) {
    if (running) return;
    running = true;
    let error = null;
    const run = py.globals.get('run_program');
    try {
      const text = await run(source, base);
      if (text) error = JSON.parse(text);
    } catch (e) {
      error = { line: 0, message: String(e && e.message || e).slice(0, 4000), traceback: '' };
    } finally {
      run.destroy();
    }
    finish(error);
  }
  // The program's trace (the prelude's trace_json), or '' when it cannot be read or is over TRACE_LIMIT.
  const TRACE_LIMIT = 4 << 20;
  function traceText() {
    let get = null;
    try {
      get = py.globals.get('trace_json');
      const text = get();
      return typeof text === 'string' && text.length <= TRACE_LIMIT ? text : '';
    } catch (e) {
      return '';
    } finally {
      if (get && get.destroy) get.destroy();
    }
  }
  let finished = false;
  function finish(error) {
    if (finished) return;
    finished = true;
    flushOutput();
    send({ type: 'done', error, at: clockNow(), cutBytes: output.cutBytes, cutLines: output.cutLines, trace: traceText(),
      origin: performance.timeOrigin });
  }

  self.onmessage = (event) => {
    const m = event.data;
    self.onmessage = null;  // (one message from the frame; everything else comes over the port)
    port = event.ports[0];
    port.onmessage = onPage;
    boot(m).then(() => {
      // Python itself failing (a stack overflow in C, memory exhausted) ends the run with its message.
      py._api.on_fatal = (e) => finish({ line: 0, message: `Python itself failed and stopped: ${String(e && e.message || e).slice(0, 2000)}`, traceback: '' });
    }, (e) => send({ type: 'boot-failed', message: String(e && e.message || e).slice(0, 2000) }));
  };

  const IMPORTS = `
import sys
if "/lib/asyncplay" not in sys.path:
    sys.path.insert(0, "/lib/asyncplay")
import ast, asyncio, concurrent.futures, http.client, json, os, threading, time, traceback, weakref
import httpx, requests, requests.adapters, requests.structures
`;

  const PRELUDE = String.raw`
import ast, asyncio, json, os, sys, traceback
import httpx
from js import page_post, page_cancel, program_started, page_request_sync, page_sleep, page_now
from pyodide.ffi import run_sync, can_run_sync

# Each request of the program is handed to the page (page_post) and waited for on a future of this loop,
# which the page's answer completes (_answer, called by the worker when it comes). Cheaper than awaiting a
# JavaScript promise per request. A task cancelled while it waits (asyncio.wait_for, a TaskGroup that
# failed, task.cancel()) tells the page, which aborts the request on the wire and draws it cancelled.
_waiting = {}
_next_call = 0
def _answer(call, text):
    future = _waiting.pop(call, None)
    if future is not None and not future.done():
        future.set_result(text)

async def page_request(ask_json):
    global _next_call
    _next_call += 1
    call = _next_call
    future = asyncio.get_running_loop().create_future()
    _waiting[call] = future
    page_post(call, ask_json)
    try:
        return await future
    except asyncio.CancelledError:
        if _waiting.pop(call, None) is not None:
            page_cancel(call)
        raise

PROGRAM = "<program>"

def _frame_line(f):
    # The innermost frame of the learner's program on this stack, or 0.
    while f is not None:
        if f.f_code.co_filename == PROGRAM:
            return f.f_lineno
        f = f.f_back
    return 0

def _line():
    # The line that made the call: on the stack, or, when the program handed httpx's own coroutine to a
    # task (gather(*(c.get(u) for u in urls))), the line that made the task.
    line = _frame_line(sys._getframe(1))
    if line:
        return line
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return _task_lines.get(task, 0) if task is not None else 0

import weakref
_task_lines = weakref.WeakKeyDictionary()
_loop_class = type(asyncio.get_event_loop_policy().get_event_loop())
_plain_create_task = _loop_class.create_task
def _create_task(self, coro, *args, **kwargs):
    task = _plain_create_task(self, coro, *args, **kwargs)
    line = _frame_line(sys._getframe(1))
    if line:
        try:
            _task_lines[task] = line
        except TypeError:
            pass
    _traced_task(task, line, coro)
    return task
_loop_class.create_task = _create_task

def _task():
    try:
        t = asyncio.current_task()
    except RuntimeError:
        t = None
    return t.get_name() if t is not None else "main"

# ---- The program's own trace: what each of its asyncio tasks did, on the page's clock. ----
# A task is numbered as the program creates it (0: the program's top level). Each step the event loop
# gives a task is one record: when it began and ended, and how it ended: parked (on a request, a free
# connection of its client, a semaphore or lock, an event, a sleep, another task, a gather, a future),
# ready again (it yielded), done, failed or cancelled, with the program line it stands at. The page reads
# it as untrusted data (a program can write here too) and draws its stepper from it.
_TRACE_LIMIT = 20000
_tracing = False
_trace_tasks = []   # (id, parent, line, at, coroutine name, task name)
_trace_steps = []   # (id, began, ended, how, wait, line, arg)
_trace_cut = 0
_task_ids = weakref.WeakKeyDictionary()
_clock_offset = 0.0  # the worker's performance.now() minus perf_counter, in ms

def _task_id():
    try:
        return _task_ids.get(asyncio.current_task(), -1)
    except (RuntimeError, TypeError):
        return -1

def _traced_task(task, line, coro):
    global _trace_cut
    if not _tracing:
        return
    if len(_trace_tasks) >= _TRACE_LIMIT:
        _trace_cut += 1
        return
    number = len(_trace_tasks) + 1
    try:
        _task_ids[task] = number
        name = task.get_name()
    except TypeError:
        return
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    what = code.co_name if code is not None else type(coro).__name__
    _trace_tasks.append((number, _task_id_of_current(), line, _clock(), str(what)[:80], str(name)[:80]))

def _task_id_of_current():
    try:
        return _task_ids.get(asyncio.current_task(), 0)
    except (RuntimeError, TypeError):
        return 0

def _innermost(task):
    # The innermost frame the task is suspended in, the program's innermost line on the way, and the
    # frame that awaits it (for the client's connection gate).
    coro = task.get_coro()
    line, inner, outer = 0, None, None
    for _ in range(200):
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        if frame.f_code.co_filename == PROGRAM:
            line = frame.f_lineno
        outer, inner = inner, frame
        coro = getattr(coro, "cr_await", None) if hasattr(coro, "cr_await") else getattr(coro, "gi_yieldfrom", None)
        if coro is None:
            break
    return line, inner, outer

def _parked(task):
    line, inner, outer = _innermost(task)
    code = inner.f_code if inner is not None else None
    name = code.co_name if code is not None else ""
    file = code.co_filename if code is not None else ""
    waiter = task._fut_waiter
    if waiter is None:
        return "ready", line, 0
    if code is _page_request_code:
        return "request", line, 0
    if file.endswith("locks.py") and name == "acquire":
        owner = inner.f_locals.get("self")
        if outer is not None and outer.f_code is _gate_code:
            return "connection", line, getattr(outer.f_locals.get("self"), "_max", 0) or 0
        return ("lock" if isinstance(owner, asyncio.Lock) else "semaphore"), line, 0
    if file.endswith("locks.py") and name == "wait":
        return "event", line, 0
    if file.endswith("tasks.py") and name == "sleep":
        delay = inner.f_locals.get("delay", 0)
        return "sleep", line, int(delay * 1000) if isinstance(delay, (int, float)) and 0 <= delay < 1e9 else 0
    if isinstance(waiter, asyncio.Task):
        return "task", line, _task_ids.get(waiter, -1)
    if type(waiter).__name__ == "_GatheringFuture":
        return "gather", line, len(getattr(waiter, "_children", ()) or ())
    return "future", line, 0

# A step that waits on a JavaScript promise with its whole stack (asyncio.run, run_until_complete) lets
# other steps run meanwhile: it is told as parked ("loop": it runs the event loop) from there, and as a
# new step when it goes on.
_steps_open = []  # [task, number, began]: the step running, and under it the ones suspended
_last_step_end = 0.0
def _step_in(task, number):
    now = _clock()
    if _steps_open:
        under = _steps_open[-1]
        if under[2] is not None:
            _record_step((under[1], under[2], now, "parked", "loop", _program_line_now(), 0))
            under[2] = None
    _steps_open.append([task, number, now])

def _step_out(task, number):
    global _last_step_end
    if not _steps_open:
        return
    _, _, began = _steps_open.pop()
    # (A suspended step goes on after the last step that ran while it waited.)
    _traced_step(task, number, began if began is not None else _last_step_end)
    _last_step_end = _clock()

def _program_line_now():
    # The program's line on this stack (the step about to be suspended is the one running it).
    return _frame_line(sys._getframe(2))

def _record_step(record):
    global _trace_cut
    if len(_trace_steps) >= _TRACE_LIMIT:
        _trace_cut += 1
    else:
        _trace_steps.append(record)

def _traced_step(task, number, began):
    global _trace_cut
    ended = _clock()
    if len(_trace_steps) >= _TRACE_LIMIT:
        _trace_cut += 1
        return
    try:
        if task.done():
            error = task._exception
            if task.cancelled():
                record = (number, began, ended, "cancelled", "", 0, 0)
            elif error is not None:
                record = (number, began, ended, "failed", type(error).__name__[:80], 0, 0)
            else:
                record = (number, began, ended, "done", "", 0, 0)
        else:
            wait, line, arg = _parked(task)
            record = (number, began, ended, "parked", wait, line, arg)
    except Exception:
        record = (number, began, ended, "parked", "future", 0, 0)
    _trace_steps.append(record)

def trace_json():
    # The trace as the page reads it: times in the worker's performance.now() ms.
    ms = lambda t: round(t * 1000 + _clock_offset, 3)
    return json.dumps({
        "tasks": [[n, p, l, ms(a), w, name] for (n, p, l, a, w, name) in _trace_tasks],
        "steps": [[n, ms(b), ms(e), how, wait, line, arg] for (n, b, e, how, wait, line, arg) in _trace_steps],
        "cut": _trace_cut})

class PageTransport(httpx.AsyncBaseTransport):
    """Hands every request to the page, which sends it through its own transport and times it. As httpx's
    own pool does, at most limits.max_connections requests of one client are out at once (100 unless the
    program sets httpx.Limits); the others wait for a free connection, and the page draws that wait."""
    def __init__(self, max_connections=None):
        self._max = max_connections
        self._gate = None

    async def handle_async_request(self, request):
        if self._max and self._gate is None:
            self._gate = asyncio.Semaphore(self._max)
        asked_at = _clock()
        if self._gate is not None:
            await self._gate.acquire()
        try:
            read = (request.extensions.get("timeout") or {}).get("read")
            ask = {"method": request.method, "url": str(request.url), "line": _line(), "task": _task(), "taskId": _task_id(),
                   "timeoutMs": int(read * 1000) if read else 0, "queuedMs": (_clock() - asked_at) * 1000}
            answer = json.loads(await page_request(json.dumps(ask)))
        finally:
            if self._gate is not None:
                self._gate.release()
        return _httpx_response(answer, request)

def _httpx_response(answer, request):
    # The page's answer as httpx gives it: a response, or the exception httpx raises for that end.
    outcome = answer.get("outcome", "ok")
    if outcome in ("ok", "http_error"):
        return httpx.Response(answer["status"], content=answer.get("body", "").encode(), request=request)
    if outcome == "timeout":
        raise httpx.ReadTimeout(answer.get("error") or "timed out", request=request)
    raise httpx.ConnectError(answer.get("error") or outcome, request=request)

from time import perf_counter as _clock
_plain_init = httpx.AsyncClient.__init__
def _init(self, *args, **kwargs):
    limits = kwargs.get("limits") or httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default
    kwargs.setdefault("transport", PageTransport(limits.max_connections))
    _plain_init(self, *args, **kwargs)
httpx.AsyncClient.__init__ = _init

# Blocking calls hold the whole thread, the event loop with it, until the answer is in: as in CPython.
# The thread's stack parks on a promise (WebAssembly stack switching); while it is parked, the loop's
# callbacks that come due wait, and run in their order once the call returns.
# (Pyodide's own callbacks, which carry a JavaScript promise's end to Python, still run: the parked call
# itself returns through them.)
_blocked = 0
_deferred = []
_plain_handle_run = asyncio.Handle._run
_decrement = _loop_class._decrement_in_progress
def _pyodides_own(handle):
    callback = handle._callback
    return type(callback).__name__ == "FutureDoneCallback" or getattr(callback, "__func__", None) is _decrement
def _handle_run(self):
    if _blocked and not _pyodides_own(self):
        _deferred.append(self)
        return
    if _tracing:
        task = getattr(self._callback, "__self__", None)
        if isinstance(task, asyncio.Task):
            number = _task_ids.get(task)
            if number is not None:
                _step_in(task, number)
                try:
                    _plain_handle_run(self)
                finally:
                    _step_out(task, number)
                return
    _plain_handle_run(self)
asyncio.Handle._run = _handle_run

def _rerun(handle):
    if not handle.cancelled():
        _plain_handle_run(handle)

def _block_on(promise):
    global _blocked
    if not can_run_sync():
        raise RuntimeError("a blocking call (requests, httpx.Client, time.sleep) needs a browser that can pause "
                           "WebAssembly (JSPI, as Chromium does); use httpx.AsyncClient and asyncio.sleep here")
    _blocked += 1
    try:
        return run_sync(promise)
    finally:
        _blocked -= 1
        if not _blocked and _deferred:
            held = _deferred[:]
            _deferred.clear()
            loop = asyncio.get_event_loop()
            for handle in held:
                loop.call_soon(_rerun, handle)

def _blocking(method, url, timeout_s):
    ask = {"method": method, "url": url, "line": _line(), "task": _task(), "taskId": _task_id(), "timeoutMs": int(timeout_s * 1000) if timeout_s else 0}
    return json.loads(_block_on(page_request_sync(json.dumps(ask))))

_page_request_code = page_request.__code__
_gate_code = PageTransport.handle_async_request.__code__

class PageSyncTransport(httpx.BaseTransport):
    def handle_request(self, request):
        answer = _blocking(request.method, str(request.url), (request.extensions.get("timeout") or {}).get("read"))
        return _httpx_response(answer, request)

_plain_sync_init = httpx.Client.__init__
def _sync_init(self, *args, **kwargs):
    kwargs.setdefault("transport", PageSyncTransport())
    _plain_sync_init(self, *args, **kwargs)
httpx.Client.__init__ = _sync_init

import requests
import requests.adapters
import requests.structures

class PageAdapter(requests.adapters.BaseAdapter):
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        read = timeout[1] if isinstance(timeout, tuple) else timeout
        answer = _blocking(request.method, request.url, read)
        outcome = answer.get("outcome", "ok")
        if outcome == "timeout":
            raise requests.exceptions.ReadTimeout(answer.get("error") or "timed out", request=request)
        if outcome not in ("ok", "http_error"):
            raise requests.exceptions.ConnectionError(answer.get("error") or outcome, request=request)
        r = requests.models.Response()
        r.status_code = answer["status"]
        r._content = answer.get("body", "").encode()
        r.headers = requests.structures.CaseInsensitiveDict({"Content-Type": "application/json"})
        r.encoding = "utf-8"
        r.url = request.url
        r.request = request
        r.reason = "OK" if r.status_code < 400 else "Error"
        return r
    def close(self):
        pass

_plain_session_init = requests.Session.__init__
def _session_init(self, *args, **kwargs):
    _plain_session_init(self, *args, **kwargs)
    self.mount("http://", PageAdapter())
    self.mount("https://", PageAdapter())
requests.Session.__init__ = _session_init

# Threads: the browser's Python has none, and Pyodide would run asyncio.to_thread's function inline, one
# after another, which would show a thread pool's waits as a staircase that CPython never draws. Better a
# clear error than a wrong timing.
import concurrent.futures, threading
_NO_THREADS = ("threads are not available in the browser's Python, so {what} cannot run calls side by side here; "
               "for calls that wait on the network, use httpx.AsyncClient with asyncio.gather (or a Semaphore for "
               "at most k at once), or run this program with python3 on your machine")
def _no_threads(what):
    def refuse(*args, **kwargs):
        raise RuntimeError(_NO_THREADS.format(what=what))
    return refuse
asyncio.to_thread = _no_threads("asyncio.to_thread")
asyncio.AbstractEventLoop.run_in_executor = _no_threads("run_in_executor")
asyncio.get_event_loop_policy().get_event_loop().__class__.run_in_executor = _no_threads("run_in_executor")
concurrent.futures.ThreadPoolExecutor.submit = _no_threads("ThreadPoolExecutor")
concurrent.futures.ThreadPoolExecutor.map = _no_threads("ThreadPoolExecutor")
threading.Thread.start = _no_threads("threading.Thread")

# Sockets: the browser's Python has none, and http.client (under urllib.request) would fail with a puzzling
# "Remote end closed connection". Say why instead.
import http.client
def _no_sockets(self):
    raise ConnectionError("the browser's Python has no sockets, so http.client and urllib.request cannot reach the "
                          "network here; use httpx or requests, whose requests this page makes (and draws)")
http.client.HTTPConnection.connect = _no_sockets

import time
def _sleep(seconds):
    seconds = float(seconds)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _block_on(page_sleep(seconds * 1000))
time.sleep = _sleep

def _aimed(source, base):
    # A top-level BASE = "..." is aimed at the chosen API, as in the page's own programs; lines stay put.
    tree = ast.parse(source, PROGRAM)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "BASE" and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            node.value = ast.copy_location(ast.Constant(base), node.value)
    return tree

# An error's texts are bounded: a message of megabytes is cut, and so is a traceback a thousand frames deep
# (its start and its end are what a reader looks at).
_MESSAGE_LIMIT = 2000
_TRACEBACK_LIMIT = 16000
def _cut(text, limit, keep_end=False):
    if len(text) <= limit:
        return text
    more = len(text) - limit
    if keep_end:
        half = limit // 2
        return f"{text[:half]}\n... ({more:,} characters cut) ...\n{text[-half:]}"
    return f"{text[:limit]}... ({more:,} more characters cut)"

def _error(e):
    line = 0
    if isinstance(e, SyntaxError) and e.filename == PROGRAM:
        line = e.lineno or 0
        text = "".join(traceback.format_exception_only(type(e), e))
    else:
        tb = traceback.extract_tb(e.__traceback__)
        for frame in tb:
            if frame.filename == PROGRAM:
                line = frame.lineno
        shown = [f for f in tb if f.filename == PROGRAM] or tb
        if len(shown) > 60:
            shown = shown[:30] + shown[-30:]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(shown)) + _cut(
            "".join(traceback.format_exception_only(type(e), e)), _MESSAGE_LIMIT)
    try:
        said = str(e)
    except Exception:
        said = "(its message could not be read)"
    message = _cut(f"{type(e).__name__}: {said}" if said else type(e).__name__, _MESSAGE_LIMIT)
    if isinstance(e, ModuleNotFoundError):
        message += " (this page's Python has the standard library, httpx and requests)"
    return json.dumps({"line": line, "message": message, "traceback": _cut(text, _TRACEBACK_LIMIT, keep_end=True)})

async def run_program(source, base):
    global _tracing, _clock_offset
    os.environ["API_BASE"] = base
    scope = {"__name__": "__main__"}
    try:
        code = compile(_aimed(source, base), PROGRAM, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        _clock_offset = page_now() - _clock() * 1000
        _task_ids[asyncio.current_task()] = 0  # the program's top level
        _tracing = True
        await asyncio.sleep(0)  # (the top level's next step is traced from its start)
        program_started()  # the page's run starts here, not when it posted the program
        result = eval(code, scope)
        if asyncio.iscoroutine(result):
            await result
    except BaseException as e:  # SystemExit and KeyboardInterrupt end the program too, and are shown
        try:
            return _error(e)
        except BaseException:
            return json.dumps({"line": 0, "message": "the program failed, and its error could not be read", "traceback": ""})
    return ""
`;

  const WARM_UP = `
async def _warm_up():
    def handler(request):
        return httpx.Response(200, content=b'{"delay_ms":0,"status":200}')
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        for _ in range(4):
            await asyncio.gather(*(client.get(f"http://127.0.0.1/api/delay/0?i={i}") for i in range(50)))
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        for i in range(20):
            client.get(f"http://127.0.0.1/api/delay/0?i={i}").json()
    for i in range(50):
        json.dumps({"url": f"http://127.0.0.1/api/delay/0?i={i}", "line": i, "task": f"Task-{i}"})
await _warm_up()
del _warm_up
`;
})();
