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
//                   {type: 'request', id, method, url, line, task, taskId, thread, threadId, timeoutMs, queuedMs, blocking}
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
      thread: text(a.thread, '', 200), threadId: whole(a.threadId, 1e6),
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
  // Threads (the prelude's threads section): a parked thread waits on a promise that a waker or its timeout
  // settles; a new thread's stack is entered through a promising call once the one starting it yields.
  const parks = new Map();  // key -> {resolve, timer}
  const pagePark = (key, ms) => new Promise((resolve) => {
    const entry = { resolve, timer: 0 };
    if (ms >= 0) entry.timer = setTimeout(() => { parks.delete(key); resolve('t'); }, ms);
    parks.set(key, entry);
  });
  const pageWake = (key) => {
    const entry = parks.get(key);
    if (!entry) return;
    parks.delete(key);
    clearTimeout(entry.timer);
    entry.resolve('w');
  };
  const pageThreadStart = (body) => queueMicrotask(() => {
    // (A program may call this too, with anything: what is not a Python callable starts nothing.)
    try {
      body.callPromising().catch(() => {}).finally(() => body.destroy());
    } catch (e) {
      // nothing started
    }
  });
  const pageCpus = () => (typeof navigator === 'object' && navigator.hardwareConcurrency) | 0;
  // Every thread waits on something no other can give: the run ends with the prelude's account of it.
  const pageDeadlock = (errorJson) => {
    let error;
    try {
      error = JSON.parse(String(errorJson));
    } catch (e) {
      error = null;
    }
    // (A program may call this too: what is not an error's shape is said as the deadlock, in general words.)
    if (!error || typeof error !== 'object' || Array.isArray(error)) error = { line: 0, message: 'DeadlockError: every thread is waiting: a deadlock', traceback: '' };
    finish({ line: error.line | 0, message: String(error.message || ''), traceback: String(error.traceback || '') });
  };
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
      page_sleep: pageSleep, program_started: programStarted, page_now: () => performance.now(), page_park: pagePark,
      page_wake: pageWake, page_thread_start: pageThreadStart, page_cpus: pageCpus, page_deadlock: pageDeadlock });
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
import threading
_MAIN_IDENT = threading.main_thread().ident
_current = _MAIN_IDENT  # the thread whose Python runs now (the threads' section below)

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
    if line or _current != _MAIN_IDENT:
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
    if _current != _MAIN_IDENT:
        return ""  # (not an asyncio task: the request's thread says where it ran)
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
    if _current != _MAIN_IDENT:
        return -1
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
        "threads": [[n, p, l, ms(a), w, name, d] for (n, p, l, a, w, name, d) in _trace_threads],
        "threadSteps": [[n, ms(b), ms(e), how, wait, line, arg] for (n, b, e, how, wait, line, arg) in _trace_thread_steps],
        "pools": [list(p) for p in _trace_pools],
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
                   "thread": _thread_name(), "threadId": _thread_number(),
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
    global _current
    if _blocked and not _pyodides_own(self):
        _deferred.append(self)
        return
    saved, _current = _current, _MAIN_IDENT  # (the event loop runs on the main thread)
    try:
        _handle_step(self)
    finally:
        _current = saved

def _handle_step(self):
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

# Pyodide 314.0.7's automatic collection walks the frames of every suspended stack, whose memory another
# stack may be using, and fails (pyodide#6464, fixed after this release). A program runs with it off; full
# collections, which do not walk them, run at the blocking calls instead, after as many allocations.
import gc
_gc_count, _gc_collect = gc.get_count, gc.collect
_GC_EVERY = 50000

def _block_on(promise, kind="request", line=0, arg="", forever=False, stack=()):
    # Parks the running thread's stack until the promise settles. The main thread holds the event loop while
    # it is parked, as in CPython; any other thread parks alone.
    global _blocked, _current
    if not can_run_sync():
        raise RuntimeError("a blocking call (requests, httpx.Client, time.sleep) needs a browser that can pause "
                           "WebAssembly (JSPI, as Chromium does); use httpx.AsyncClient and asyncio.sleep here")
    me = _current
    strand = _alive.get(me)
    main = me == _MAIN_IDENT
    if strand is not None:
        _thread_step(strand, "parked", kind, line, arg)
        strand.kind, strand.line, strand.arg, strand.forever, strand.stack = kind, line, arg, forever, stack
        if forever and _all_waiting():
            _say_deadlock()
    if main:
        _blocked += 1
    if _gc_count()[0] > _GC_EVERY:
        _gc_collect()
    try:
        return run_sync(promise)
    finally:
        _current = me
        if strand is not None:
            strand.kind, strand.stack, strand.began = None, (), _clock()
        if main:
            _blocked -= 1
            if not _blocked and _deferred:
                held = _deferred[:]
                _deferred.clear()
                loop = asyncio.get_event_loop()
                for handle in held:
                    loop.call_soon(_rerun, handle)

def _blocking(method, url, timeout_s):
    line = _line()
    ask = {"method": method, "url": url, "line": line, "task": _task(), "taskId": _task_id(), "thread": _thread_name(),
           "threadId": _thread_number(), "timeoutMs": int(timeout_s * 1000) if timeout_s else 0}
    return json.loads(_block_on(page_request_sync(json.dumps(ask)), "request", line))

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

# ---- Threads, as CPython runs them when they wait. ----
# Each thread the program starts runs on a stack of its own, entered through a promising call (WebAssembly
# stack switching), so that a blocking call parks that stack only. One stack runs Python at a time, as under
# CPython's GIL; a thread gives the others their turn when it blocks (a request, a sleep, a lock, an event, a
# queue, a join, a future). The locks are the page's own (every lock threading, queue and concurrent.futures
# make is one), so that waiting on one parks only the thread that waits. Unlike CPython, a thread that never
# blocks is not interrupted every 5 ms: the page says so when it happens (from the trace below).
import _thread, collections, itertools, queue, threading, concurrent.futures, concurrent.futures._base, concurrent.futures.thread
from pyodide.ffi import create_proxy
from js import page_park, page_wake, page_thread_start, page_cpus, page_deadlock

_thread_idents = itertools.count(_MAIN_IDENT + 1)
_keys = itertools.count(1)
_parked_keys = {}  # key -> the strand parked on it, until a waker or its timeout takes it

class _Strand:
    """A thread as the page schedules it: parked (on what, at which line, for ever or with a timeout) or not."""
    __slots__ = ("ident", "number", "name", "handle", "daemon", "kind", "line", "arg", "forever", "stack", "began")
    def __init__(self, ident, number, name, handle, daemon):
        self.ident, self.number, self.name, self.handle, self.daemon = ident, number, name, handle, daemon
        self.kind, self.line, self.arg, self.forever, self.stack, self.began = None, 0, "", False, (), 0.0

_alive = {}          # ident -> _Strand, the main thread's included while the program runs
_threads_started = 0

def _strand():
    return _alive.get(_current)

def _thread_name():
    s = _alive.get(_current)
    return s.name if s is not None else "MainThread"

def _thread_number():
    s = _alive.get(_current)
    return s.number if s is not None else 0

# What a parked thread waits for: the outermost of these the wait passed through before the program's own code.
def _codes():
    e = concurrent.futures.Executor.map.__code__
    iterator = next((c for c in e.co_consts if getattr(c, "co_name", "") == "result_iterator"), None)
    table = [(threading.Event.wait, "event"), (threading.Condition.wait, "condition"), (threading.Condition.wait_for, "condition"),
             (threading.Semaphore.acquire, "semaphore"), (threading.Barrier.wait, "barrier"), (threading.Thread.join, "join"),
             (threading._PyRLock.acquire, "lock"), (queue.Queue.get, "queue-get"), (queue.Queue.put, "queue-put"),
             (queue.Queue.join, "queue-join"), (queue._PySimpleQueue.get, "queue-get"),
             (concurrent.futures.Future.result, "future"), (concurrent.futures.Future.exception, "future"),
             (concurrent.futures._base.as_completed, "as_completed"), (concurrent.futures._base.wait, "wait"),
             (concurrent.futures.thread._worker, "idle"), (concurrent.futures.ThreadPoolExecutor.shutdown, "shutdown")]
    codes = {f.__code__: kind for f, kind in table}
    if iterator is not None:
        codes[iterator] = "map"
    return codes
_WAIT_CODES = _codes()

def _wait_kind(frame):
    kind, arg, line = "lock", "", 0
    for _ in range(40):
        if frame is None:
            break
        code = frame.f_code
        if code.co_filename == PROGRAM:
            line = frame.f_lineno
            break
        found = _WAIT_CODES.get(code)
        if found is not None:
            kind = found
            if found == "join":
                arg = str(getattr(frame.f_locals.get("self"), "name", ""))[:80]
        frame = frame.f_back
    if kind == "lock" and _exiting:
        kind = "exit"
    return kind, arg, line or _frame_line(frame)

class _Lock:
    """threading.Lock here: a blocking acquire parks only the thread that waits; release hands the lock to the
    first waiter."""
    __slots__ = ("_held", "_waiters", "__weakref__")
    def __init__(self):
        self._held = False
        self._waiters = collections.deque()
    def acquire(self, blocking=True, timeout=-1):
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if timeout < 0 and timeout != -1:
            raise ValueError("timeout value must be a non-negative number")
        if not self._held:
            self._held = True
            return True
        if not blocking or timeout == 0:
            return False
        key = next(_keys)
        self._waiters.append(key)
        if _park(key, None if timeout == -1 else timeout, sys._getframe(1)):
            return True
        try:
            self._waiters.remove(key)
        except ValueError:
            pass
        return False
    acquire_lock = acquire
    def release(self):
        if not self._held:
            raise RuntimeError("release unlocked lock")
        while self._waiters:
            if _wake(self._waiters.popleft()):
                return  # (still held: by the thread woken)
        self._held = False
    release_lock = release
    def locked(self):
        return self._held
    locked_lock = locked
    def __enter__(self):
        return self.acquire()
    def __exit__(self, *exc):
        self.release()
    def _at_fork_reinit(self):
        self._held = False
        self._waiters.clear()
    def __repr__(self):
        return f"<{'locked' if self._held else 'unlocked'} _thread.lock object at {id(self):#x}>"

def _park(key, timeout, frame):
    # Parks the running thread until _wake(key) or the timeout (seconds; None: for ever). True if woken.
    kind, arg, line = _wait_kind(frame)
    me = _strand()
    _parked_keys[key] = me
    ms = -1 if timeout is None else min(max(float(timeout), 0.0), 1e7) * 1000
    try:
        _block_on(page_park(key, ms), kind, line, arg, forever=timeout is None, stack=_program_stack(frame) if timeout is None else ())
    finally:
        woken = _parked_keys.pop(key, None) is None
    return woken

def _program_stack(frame):
    # The program's own frames on this stack, outermost first: (line, function). (Read while the stack runs: a
    # parked stack's frames are not to be walked from another.)
    found = []
    while frame is not None and len(found) < 200:
        if frame.f_code.co_filename == PROGRAM:
            found.append((frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return found[::-1]

def _wake(key):
    s = _parked_keys.pop(key, None)
    if s is None:
        return False  # (it timed out meanwhile)
    if s is not None:
        s.kind = None  # runnable from now: no longer part of a deadlock
    page_wake(key)
    return True

class _Handle:
    """threading's handle of a started thread: its ident, whether it ended, and join()."""
    def __init__(self):
        self.ident = None
        self._done = False
        self._joiners = []
    def is_done(self):
        return self._done
    def _set_done(self):
        self._done = True
        joiners, self._joiners = self._joiners, []
        for key in joiners:
            _wake(key)
    def join(self, timeout=None):
        if self._done:
            return
        if self.ident == _current:
            raise RuntimeError("Cannot join current thread")
        if timeout is not None and timeout <= 0:
            return
        key = next(_keys)
        self._joiners.append(key)
        if not _park(key, timeout, sys._getframe(1)):
            try:
                self._joiners.remove(key)
            except ValueError:
                pass

_trace_threads = []  # (number, parent, line, at, target, name, daemon)
_trace_thread_steps = []  # (number, began, ended, how, wait, line, arg)
_trace_pools = []  # (max_workers, default, cpus)

def _thread_step(strand, how, wait="", line=0, arg=""):
    global _trace_cut
    if not _tracing or strand is None:
        return
    if len(_trace_thread_steps) >= _TRACE_LIMIT:
        _trace_cut += 1
        return
    _trace_thread_steps.append((strand.number, strand.began, _clock(), how, wait, line, str(arg)[:80]))

_MAX_THREADS = 2000  # alive at once: each holds a stack and an interpreter state

def _start_thread(function, handle=None, daemon=True):
    global _threads_started
    if len(_alive) > _MAX_THREADS:
        raise RuntimeError(f"can't start new thread: a program may have at most {_MAX_THREADS} threads alive at once here")
    if handle is None:
        handle = _Handle()
    ident = next(_thread_idents)
    handle.ident = ident
    _threads_started += 1
    owner = getattr(function, "__self__", None)
    name = str(getattr(owner, "name", "") or f"Dummy-{_threads_started}")[:80]
    strand = _Strand(ident, _threads_started, name, handle, bool(daemon))
    _alive[ident] = strand
    if _tracing and len(_trace_threads) < _TRACE_LIMIT:
        target = getattr(owner, "_target", None)
        what = getattr(target, "__name__", None) or type(target).__name__ if target is not None else "run"
        _trace_threads.append((strand.number, _thread_number(), _frame_line(sys._getframe(1)), _clock(), str(what)[:80], name, bool(daemon)))
    def body():
        global _current
        _current = ident
        strand.began = _clock()
        how = "done"
        try:
            function()
        except BaseException:
            how = "failed"
            try:
                traceback.print_exc()
            except BaseException:
                pass
        finally:
            if getattr(owner, "_ap_failed", False):
                how = "failed"
            _thread_step(strand, how)
            _alive.pop(ident, None)
            handle._set_done()
    page_thread_start(create_proxy(body))
    return handle

def _start_new_thread(function, args, kwargs=None):
    handle = _start_thread(lambda: function(*args, **(kwargs or {})), daemon=True)
    return handle.ident

# A thread's exception, as CPython prints it; the trace marks the thread failed.
_plain_excepthook = threading.excepthook
def _excepthook(args):
    if args.thread is not None:
        args.thread._ap_failed = True
    _plain_excepthook(args)
threading.excepthook = _excepthook

_exiting = False
def _join_threads():
    # At the program's end CPython waits for its threads that are not daemons.
    for s in list(_alive.values()):
        if s.ident != _MAIN_IDENT and not s.daemon:
            s.handle.join()

def _all_waiting():
    return bool(_alive) and all(s.kind is not None and s.forever for s in _alive.values())

_KIND_WORDS = {"lock": "for a lock", "condition": "on a Condition", "event": "for an Event", "semaphore": "for a Semaphore",
               "barrier": "at a Barrier", "queue-get": "for an item of a Queue", "queue-put": "for room in a Queue",
               "queue-join": "for a Queue's tasks to be done", "future": "for a Future's result", "map": "for the results of map()",
               "as_completed": "for futures (as_completed)", "wait": "for futures (wait)", "idle": "for work (a worker of the pool)",
               "shutdown": "for the pool's workers to end (shutdown)", "exit": "for its threads to end (the program's end)"}

def _say_deadlock():
    strands = sorted(_alive.values(), key=lambda s: s.number)
    def said(s):
        words = f"to join {s.arg}" if s.kind == "join" and s.arg else _KIND_WORDS.get(s.kind, "")
        return f"{s.name} waits {words}" + (f" (line {s.line})" if s.line else "")
    n = len(strands)
    head = (f"all {n} threads are waiting, and none can wake another: a deadlock. " if n > 1 else
            "the program's only thread is waiting for something no other thread can give: a deadlock. ")
    message = _cut(head + "; ".join(said(s) for s in strands[:20]) + ("; ..." if n > 20 else ""), _MESSAGE_LIMIT)
    main = _alive.get(_MAIN_IDENT)
    line = main.line if main is not None and main.line else next((s.line for s in strands if s.line), 0)
    stacks = []
    for s in strands[:20]:
        frames = "".join(f'  File "{PROGRAM}", line {line}, in {name}\n' for line, name in s.stack[-10:])
        stacks.append(f"{s.name}:\n" + (frames or "  (in the thread pool's own code)\n"))
    page_deadlock(json.dumps({"line": line, "message": "DeadlockError: " + message, "traceback": _cut("\n".join(stacks), _TRACEBACK_LIMIT, keep_end=True)}))

def _thread_get_ident():
    return _current

for _module in (threading, _thread):
    _module.get_ident = _thread_get_ident
    if hasattr(_module, "get_native_id"):
        _module.get_native_id = _thread_get_ident
_thread.allocate_lock = _Lock
_thread.start_new_thread = _start_new_thread
_thread.start_new = _start_new_thread
threading._allocate_lock = _Lock
threading.Lock = _Lock
threading._LockType = _Lock
threading._CRLock = None
threading._start_joinable_thread = _start_thread
threading._ThreadHandle = _Handle
threading._thread_shutdown = _join_threads
threading._active_limbo_lock = threading._PyRLock()
concurrent.futures.thread._global_shutdown_lock = _Lock()
queue.SimpleQueue = queue._PySimpleQueue
# threading.local: one per thread (Pyodide shares one between its stacks, as they are one thread to it).
import _threading_local
threading.local = _threading_local.local

# Processes: none in the browser; said in words rather than as a missing semaphore (and without importing
# multiprocessing at every start: concurrent.futures hands it out on demand).
class _NoProcessPool:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("processes are not available in the browser's Python, so ProcessPoolExecutor cannot start one here; "
                           "for calls that wait on the network, use ThreadPoolExecutor (threads here run as CPython's do)")
_plain_futures_getattr = concurrent.futures.__getattr__
def _futures_getattr(name):
    return _NoProcessPool if name == "ProcessPoolExecutor" else _plain_futures_getattr(name)
concurrent.futures.__getattr__ = _futures_getattr

# The default size of a pool is CPython's min(32, CPUs + 4), with the CPUs the browser reports.
_cpus = max(1, min(int(page_cpus() or 1), 1024))
os.cpu_count = lambda: _cpus
os.process_cpu_count = lambda: _cpus
_plain_pool_init = concurrent.futures.ThreadPoolExecutor.__init__
def _pool_init(self, max_workers=None, *args, **kwargs):
    _plain_pool_init(self, max_workers, *args, **kwargs)
    if _tracing and len(_trace_pools) < 100:
        _trace_pools.append((self._max_workers, max_workers is None, _cpus))
concurrent.futures.ThreadPoolExecutor.__init__ = _pool_init

# asyncio.to_thread and run_in_executor: Pyodide's loop runs the function inline; here it goes to a pool of
# threads, the loop's default one (as CPython's loop makes it) or the one given.
def _run_in_executor(self, executor, func, *args):
    if executor is None:
        executor = getattr(self, "_ap_default_executor", None)
        if executor is None:
            executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="asyncio")
            self._ap_default_executor = executor
    return asyncio.wrap_future(executor.submit(func, *args), loop=self)
def _set_default_executor(self, executor):
    if not isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        raise TypeError("executor must be ThreadPoolExecutor")
    self._ap_default_executor = executor
_loop_class.run_in_executor = _run_in_executor
_loop_class.set_default_executor = _set_default_executor

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
    _block_on(page_sleep(seconds * 1000), "sleep", _frame_line(sys._getframe(1)), int(min(seconds, 1e7) * 1000))
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
    global _tracing, _clock_offset, _exiting
    os.environ["API_BASE"] = base
    scope = {"__name__": "__main__"}
    error = ""
    main = _Strand(_MAIN_IDENT, 0, threading.main_thread().name, None, False)
    try:
        code = compile(_aimed(source, base), PROGRAM, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        _clock_offset = page_now() - _clock() * 1000
        _task_ids[asyncio.current_task()] = 0  # the program's top level
        _tracing = True
        gc.disable()
        await asyncio.sleep(0)  # (the top level's next step is traced from its start)
        _alive[_MAIN_IDENT] = main
        main.began = _clock()
        program_started()  # the page's run starts here, not when it posted the program
        result = eval(code, scope)
        if asyncio.iscoroutine(result):
            await result
    except BaseException as e:  # SystemExit and KeyboardInterrupt end the program too, and are shown
        try:
            error = _error(e)
        except BaseException:
            error = json.dumps({"line": 0, "message": "the program failed, and its error could not be read", "traceback": ""})
    # As CPython's interpreter does at the end: the threads' atexit calls (a pool's shutdown), then its
    # threads that are not daemons are joined.
    _exiting = True
    try:
        threading._shutdown()
    except BaseException as e:
        if not error:
            try:
                error = _error(e)
            except BaseException:
                pass
    _thread_step(main, "failed" if error else "done")
    _alive.pop(_MAIN_IDENT, None)
    return error
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
