// The learner's own Python, in a Web Worker so that a busy program cannot freeze the page: CPython
// (Pyodide, served from the build's python/ folder, never a CDN) with httpx and requests from Debian's
// packages (python/site.zip, packed by tools/pack_python.py). The program's HTTP calls do not touch the
// network from here: each is handed to the page, which issues it through its own transport and clock, and
// the answer comes back.
//
// Blocking calls (requests.get, httpx.Client, time.sleep) block this worker as they block CPython's thread:
// a synchronous request to the page's service worker (web/sw.js, inpage/program/), which the page answers.
//
// Messages, page -> worker:
//   {type: 'run', runId, source, base, service, token}   runs a program (one at a time); service: the
//                                             service worker's program address ('' when there is none)
//   {type: 'answer', id, outcome, status, body, error}   the end of a request: outcome "ok" or "http_error"
//                                             with its status and body, else "timeout", "cancelled",
//                                             "network_error" or "refused", and error says why
// worker -> page:
//   {type: 'ready', bootMs} | {type: 'boot-failed', message}
//   {type: 'request', runId, id, method, url, line, task, timeoutMs}   line: the program's line that made
//                                             it; timeoutMs: its client's read timeout (0: none)
//   {type: 'stdout', runId, text}
//   {type: 'done', runId, error: null | {line, message, traceback}}
import { loadPyodide } from './python/pyodide.mjs';

const PRELUDE = String.raw`
import ast, asyncio, json, os, sys, traceback
import httpx
from pyodide.code import eval_code_async
from js import page_post, page_cancel, program_started

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
    return task
_loop_class.create_task = _create_task

def _task():
    try:
        t = asyncio.current_task()
    except RuntimeError:
        t = None
    return t.get_name() if t is not None else "main"

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
            ask = {"method": request.method, "url": str(request.url), "line": _line(), "task": _task(),
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
from js import page_request_sync, page_sleep_sync

def _blocking(method, url, timeout_s):
    ask = {"method": method, "url": url, "line": _line(), "task": _task(), "timeoutMs": int(timeout_s * 1000) if timeout_s else 0}
    return json.loads(page_request_sync(json.dumps(ask)))

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
    page_sleep_sync(seconds * 1000)
time.sleep = _sleep

def _aimed(source, base):
    # A top-level BASE = "..." is aimed at the chosen API, as in the page's own programs; lines stay put.
    tree = ast.parse(source, PROGRAM)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "BASE" and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            node.value = ast.copy_location(ast.Constant(base), node.value)
    return tree

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
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(shown)) + "".join(
            traceback.format_exception_only(type(e), e))
    message = f"{type(e).__name__}: {e}"
    if isinstance(e, ModuleNotFoundError):
        message += " (this page's Python has the standard library, httpx and requests)"
    return json.dumps({"line": line, "message": message, "traceback": text})

async def run_program(source, base):
    _waiting.clear()  # (a stopped program's calls are not this one's)
    os.environ["API_BASE"] = base
    scope = {"__name__": "__main__"}
    try:
        code = compile(_aimed(source, base), PROGRAM, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        program_started()  # the page's run starts here, not when it posted the program
        result = eval(code, scope)
        if asyncio.iscoroutine(result):
            await result
    except BaseException as e:  # SystemExit and KeyboardInterrupt end the program too, and are shown
        return _error(e)
    return ""
`;

let py = null;
let running = null;  // runId of the program running now
let service = '';    // the service worker's program address (inpage/program/), or '' when there is none
let token = '';      // the page's: which page's service worker call this is

const NO_SERVICE = "a blocking call (requests, httpx.Client) needs this page's service worker, which is not running " +
  'here (a page embedded in another site, or storage switched off): use httpx.AsyncClient, or open the playground in a tab of its own';

// Memory shared with the page (when it is cross-origin isolated, as tools/serve makes it): a blocking call
// posts its request like any and waits on the memory (Atomics.wait) until the page writes the answer there;
// time.sleep waits on it with a timeout. [state, length] then the answer's UTF-8 bytes.
let shared = null;  // {control: Int32Array(2), bytes: Uint8Array}
const SHARED_WAIT_LIMIT_MS = 10 * 60 * 1000;  // (a page that never answers: the call fails, the worker lives)
function blockingCallShared(askJson) {
  const id = nextRequest++;
  Atomics.store(shared.control, 0, 0);
  postMessage({ type: 'request', runId: running, id, sync: true, ...JSON.parse(askJson) });
  if (Atomics.wait(shared.control, 0, 0, SHARED_WAIT_LIMIT_MS) === 'timed-out')
    return JSON.stringify({ outcome: 'refused', error: 'the page did not answer the blocking call' });
  const length = Atomics.load(shared.control, 1);
  return new TextDecoder().decode(shared.bytes.slice(0, length));
}

// Called by the blocking transports: the answer on shared memory, or a synchronous request that the service
// worker holds until the page answers.
globalThis.page_request_sync = (askJson) => {
  if (shared) return blockingCallShared(askJson);
  if (!service) return JSON.stringify({ outcome: 'refused', error: NO_SERVICE });
  const xhr = new XMLHttpRequest();
  try {
    xhr.open('POST', `${service}call`, false);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.send(JSON.stringify({ token, ask: JSON.parse(askJson) }));
  } catch (e) {
    return JSON.stringify({ outcome: 'refused', error: `the page did not answer: ${e.message || e}` });
  }
  return xhr.status === 200 ? xhr.responseText : JSON.stringify({ outcome: 'refused', error: `the page's service worker answered ${xhr.status}` });
};
// time.sleep: the thread waits, the core stays free (without a service worker: a busy wait, still blocking).
globalThis.page_sleep_sync = (ms) => {
  if (shared) {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 0, ms);  // nobody wakes it: it waits the whole time, as the thread does in CPython
    return;
  }
  if (service) {
    const xhr = new XMLHttpRequest();
    try {
      xhr.open('GET', `${service}sleep?ms=${Math.round(ms)}`, false);
      xhr.send();
      return;
    } catch (e) {
      // fall through to the busy wait
    }
  }
  const end = performance.now() + ms;
  while (performance.now() < end) { /* blocks, as time.sleep does */ }
};
// When the program begins to run and when it ends, on the page's clock too: performance.timeOrigin + now()
// is the same monotonic clock in the page and in this worker, and the page takes away its own timeOrigin.
const clockNow = () => performance.timeOrigin + performance.now();
globalThis.program_started = () => postMessage({ type: 'started', runId: running, at: clockNow() });
let nextRequest = 1;  // (a blocking call's id)

// Called by the Python transport (page_request): the request to the page; its answer comes back as an
// 'answer' message, handed to Python's _answer. A cancel tells the page to abort it.
globalThis.page_post = (id, askJson) => postMessage({ type: 'request', runId: running, id: `a${id}`, ...JSON.parse(askJson) });
globalThis.page_cancel = (id) => postMessage({ type: 'cancel', runId: running, id: `a${id}` });
let answerPy = null;  // run_program's module's _answer, once Python is up

// Python's first start in a browser imports httpx and requests (seconds); it then keeps Python's memory at
// that point in the browser's Cache Storage, and every later start begins from there (a fraction of a
// second). The memory belongs to this browser, this Pyodide and these libraries: the key names all three, and
// a start from memory that fails is forgotten and done the long way. Where storage is refused (another
// site's frame, private modes), every start is the long one.
const SNAPSHOT_CACHE = 'asyncplay-python';
const SNAPSHOT_IMPORTS = `
import sys
if "/lib/asyncplay" not in sys.path:
    sys.path.insert(0, "/lib/asyncplay")
import ast, asyncio, concurrent.futures, http.client, json, os, threading, time, traceback, weakref
import httpx, requests, requests.adapters, requests.structures
`;
async function snapshotKey(here, siteBytes) {
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 24);
  const site = hex(await crypto.subtle.digest('SHA-256', siteBytes));
  const browser = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(navigator.userAgent)));
  return new URL(`snapshot-${site}-${browser}.bin`, here).href;
}
async function openSnapshots() {
  try {
    return await caches.open(SNAPSHOT_CACHE);
  } catch (e) {
    return null;  // (no Cache Storage here)
  }
}

async function boot() {
  const t0 = performance.now();
  const phases = {};
  const mark = (name, since) => { phases[name] = Math.round(performance.now() - since); return performance.now(); };
  const here = new URL('./python/', import.meta.url).href;
  const io = { stdout: (text) => postMessage({ type: 'stdout', runId: running, text: text + '\n' }),
    stderr: (text) => postMessage({ type: 'stdout', runId: running, text: text + '\n' }) };
  const siteFile = await fetch(new URL('site.zip', here));
  if (!siteFile.ok) throw new Error(`python/site.zip: HTTP ${siteFile.status}`);
  const siteBytes = await siteFile.arrayBuffer();
  const snapshots = await openSnapshots();
  const key = snapshots ? await snapshotKey(here, siteBytes).catch(() => null) : null;
  const kept = key ? await snapshots.match(key).catch(() => null) : null;
  phases.fromSnapshot = false;
  if (kept) {
    try {
      py = await loadPyodide({ indexURL: here, ...io, _loadSnapshot: kept.arrayBuffer() });
      phases.fromSnapshot = true;
    } catch (e) {
      snapshots.delete(key).catch(() => {});
    }
  }
  let t = mark('interpreter', t0);
  if (!phases.fromSnapshot) {
    py = await loadPyodide({ indexURL: here, ...io, _makeSnapshot: !!key });
    t = mark('interpreter', t0);
  }
  // (From memory too: the files live outside Python's memory, and a program may import what was not.)
  py.unpackArchive(siteBytes, 'zip', { extractDir: '/lib/asyncplay' });
  t = mark('packages', t);
  py.runPython(SNAPSHOT_IMPORTS);
  if (!phases.fromSnapshot && key) {
    // Taken before the prelude: it holds JavaScript functions, which a memory cannot keep.
    try {
      const memory = py.makeMemorySnapshot();
      // One memory kept: those of other libraries or another browser version go.
      snapshots.keys().then((old) => Promise.all(old.filter((r) => r.url !== key).map((r) => snapshots.delete(r))))
        .then(() => snapshots.put(key, new Response(memory, { headers: { 'Content-Type': 'application/octet-stream' } })))
        .catch(() => {});
    } catch (e) {
      // (no memory kept: the next start is a long one too)
    }
    t = mark('keep', t);
  }
  await py.runPythonAsync(PRELUDE);
  answerPy = py.globals.get('_answer');
  mark('imports', t);
  postMessage({ type: 'ready', bootMs: performance.now() - t0, phases });
  // While the learner reads or edits: httpx's and asyncio's paths run a few times with no network, so the
  // browser compiles them now rather than during the learner's first program (which would start slower).
  t = performance.now();
  await py.runPythonAsync(WARM_UP);
  phases.warmUp = Math.round(performance.now() - t);
}

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
        json.dumps({"url": f"http://127.0.0.1/api/delay/0?i={i}", "line": i, "task": _task()})
await _warm_up()
del _warm_up
`;

const booted = boot().catch((e) => {
  postMessage({ type: 'boot-failed', message: String(e && e.message || e) });
  throw e;
});

onmessage = async (event) => {
  const m = event.data;
  if (m.type === 'answer') {
    const call = Number(String(m.id).slice(1));
    if (answerPy && String(m.id)[0] === 'a') {
      answerPy(call, JSON.stringify({ outcome: m.outcome || 'ok', status: m.status | 0, body: m.body || '', error: m.error || '' }));
    }
  } else if (m.type === 'shared') {
    shared = { control: new Int32Array(m.buffer, 0, 2), bytes: new Uint8Array(m.buffer, 8) };
  } else if (m.type === 'run') {
    try {
      await booted;
    } catch (e) {
      return;  // (boot-failed said why)
    }
    running = m.runId;
    service = String(m.service || '');
    token = String(m.token || '');
    const runProgram = py.globals.get('run_program');
    let error = null;
    try {
      const text = await runProgram(String(m.source), String(m.base));
      if (text) error = JSON.parse(text);
    } catch (e) {
      error = { line: 0, message: String(e && e.message || e), traceback: '' };
    } finally {
      runProgram.destroy();
    }
    postMessage({ type: 'done', runId: m.runId, error, at: clockNow() });
    running = null;
  }
};
