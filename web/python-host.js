// Where the learner's Python lives, seen from the page: a sealed frame, the workers it starts, and Python's
// memory after start-up, which the page keeps. Loaded (as a module) the first time Python is wanted.
//
// The seal. A learner's program is untrusted code from a link. It runs in a Web Worker (web/python-worker.js)
// started by a frame with `sandbox="allow-scripts"` and no `allow-same-origin`: the frame and its workers
// have an opaque origin, so the page's Cache Storage, IndexedDB, cookies and localStorage are out of their
// reach, and the frame's Content-Security-Policy lets them connect nowhere. The page hands the frame
// Pyodide's files as bytes; a program's requests reach the network only as messages to the page, which
// makes each one through its own transport and draws it.
//
// Clean runs. A worker runs one program and is ended with it; the next program gets a spare worker that
// started while the learner read, from the memory the page kept. A worker's messages are untrusted input:
// each is checked by its shape and by the worker's stage (booting, ready, running), and one that is not
// understood ends that worker with a sentence.
//
// Kept memory. A worker's first start imports httpx and requests (seconds); it then sends Python's memory
// at that point, before the prelude and before any program, and the page keeps it in Cache Storage with
// its SHA-256 in localStorage, where no worker can write. A later start uses the memory only if its hash is
// the one recorded; any other (damaged, replaced) is dropped and made again.

const FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json', 'site.zip'];
const BOOT_LIMIT_MS = 60000;
const MEMORY_CACHE = 'asyncplay-python';
const MEMORY_RECORD = 'asyncplay.python-memory';  // localStorage: {key, sha256} of the memory the page made
const MAX_MEMORY_BYTES = 512 * 1024 * 1024;

// Limits on what a worker may say (a worker sends far less; more is a worker gone wrong).
export const LIMITS = { url: 8192, method: 16, task: 200, id: 32, output: 256 * 1024, message: 4096, traceback: 32768, line: 1e6,
  timeoutMs: 3.6e6, queuedMs: 1e9, trace: 4 << 20 };

// The frame: a policy, and a script that starts workers from the bytes it was given.
const FRAME_POLICY = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob:; worker-src blob:; connect-src 'none'";
const FRAME_SCRIPT = `
'use strict';
let files = null, source = null, memory = null, compiled = null;
const workers = new Map();
const tell = (m) => parent.postMessage(m, '*');
addEventListener('message', (e) => {
  if (e.source !== parent) return;
  const m = e.data;
  if (m.type === 'files') {
    files = m.files;
    source = URL.createObjectURL(new Blob([m.worker], { type: 'text/javascript' }));
    compiled = WebAssembly.compile(files['pyodide.asm.wasm']).catch(() => null);
  } else if (m.type === 'memory') {
    memory = m.bytes;
  } else if (m.type === 'spawn') {
    compiled.then((module) => {
      const w = new Worker(source, { name: 'python-' + m.id });
      workers.set(m.id, w);
      w.onerror = (ev) => {
        ev.preventDefault();
        tell({ type: 'worker-error', id: m.id, message: String(ev.message || 'the worker failed') });
      };
      w.postMessage({ files, memory: m.useMemory ? memory : null, module, keepMemory: !!m.keepMemory }, [m.port]);
    });
  } else if (m.type === 'kill') {
    const w = workers.get(m.id);
    if (w) w.terminate();
    workers.delete(m.id);
  }
});
tell({ type: 'frame-ready' });
`;

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (bytes) => hex(await crypto.subtle.digest('SHA-256', bytes));

// Checks a worker's message against its stage; returns it in known fields only, or throws why not.
export function checkMessage(m, stage) {
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('a message that is not an object');
  const type = m.type;
  const text = (v, max, what) => {
    if (typeof v !== 'string') throw new Error(`${type}: ${what} is not a text`);
    if (v.length > max) throw new Error(`${type}: ${what} is ${v.length} characters, over ${max}`);
    return v;
  };
  const number = (v, min, max, what) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${type}: ${what} is not a number from ${min} to ${max}`);
    return v;
  };
  const count = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
  const booting = ['memory', 'ready', 'boot-failed'];
  const running = ['started', 'request', 'cancel', 'output', 'done'];
  if (!(stage === 'booting' ? booting : stage === 'running' ? running : []).includes(type)) {
    throw new Error(`a message "${String(type).slice(0, 40)}" while ${stage}`);
  }
  switch (type) {
    case 'memory':
      if (!(m.bytes instanceof Uint8Array) || m.bytes.length > MAX_MEMORY_BYTES) throw new Error('memory: not bytes of a memory');
      return { type, bytes: m.bytes };
    case 'ready': {
      const phases = {};
      if (m.phases && typeof m.phases === 'object') {
        for (const k of ['interpreter', 'packages', 'keep', 'imports', 'warmUp']) if (Number.isFinite(m.phases[k])) phases[k] = m.phases[k];
        phases.fromSnapshot = m.phases.fromSnapshot === true;
      }
      return { type, bootMs: number(m.bootMs, 0, 1e7, 'bootMs'), phases };
    }
    case 'boot-failed':
      return { type, message: String(m.message).slice(0, LIMITS.message) };
    case 'started':
      return { type, at: number(m.at, 0, 1e15, 'at') };
    case 'request':
      return { type, id: text(m.id, LIMITS.id, 'id'), method: text(m.method, LIMITS.method, 'method'), url: text(m.url, LIMITS.url, 'url'),
        line: Math.floor(number(m.line, 0, LIMITS.line, 'line')), task: text(m.task, LIMITS.task, 'task'),
        taskId: Number.isInteger(m.taskId) && m.taskId >= -1 && m.taskId <= LIMITS.line ? m.taskId : -1,
        thread: typeof m.thread === 'string' ? m.thread.slice(0, LIMITS.task) : '',
        threadId: Number.isInteger(m.threadId) && m.threadId >= 0 && m.threadId <= LIMITS.line ? m.threadId : -1,
        timeoutMs: number(m.timeoutMs, 0, LIMITS.timeoutMs, 'timeoutMs'), queuedMs: number(m.queuedMs, 0, LIMITS.queuedMs, 'queuedMs'),
        blocking: m.blocking === true };
    case 'cancel':
      return { type, id: text(m.id, LIMITS.id, 'id') };
    case 'output':
      return { type, text: text(m.text, LIMITS.output, 'text'), cutBytes: count(m.cutBytes), cutLines: count(m.cutLines) };
    case 'done': {
      let error = null;
      if (m.error !== null && m.error !== undefined) {
        if (typeof m.error !== 'object') throw new Error('done: error is not an object');
        error = { line: Math.floor(number(m.error.line, 0, LIMITS.line, 'error.line')),
          message: text(m.error.message, LIMITS.message, 'error.message'), traceback: text(m.error.traceback, LIMITS.traceback, 'error.traceback') };
      }
      // (The trace is the program's to write too: the page reads it as untrusted data, and keeps none of it
      // that does not fit its shape.)
      const trace = typeof m.trace === 'string' && m.trace.length <= LIMITS.trace ? m.trace : '';
      const origin = typeof m.origin === 'number' && Number.isFinite(m.origin) && m.origin > 0 && m.origin < 1e15 ? m.origin : 0;
      return { type, error, at: number(m.at, 0, 1e15, 'at'), cutBytes: count(m.cutBytes), cutLines: count(m.cutLines), trace, origin };
    }
    default:
      throw new Error('unknown message');
  }
}

export function createPythonHost(baseURI) {
  const here = new URL('python/', baseURI).href;
  const host = { frame: null, framed: null, frameReady: null, spare: null, keeper: null, keeperAsked: false, storing: false, nextId: 1, sessions: new Map(), lastBoot: null,
    memory: null,      // Promise<Uint8Array | null>: the kept memory, checked against its recorded hash
    memoryKey: null };

  // ---- The frame, with the files: made once, on first use. ----
  function frame() {
    if (host.framed) return host.framed;
    host.framed = (async () => {
      const [worker, ...bytes] = await Promise.all([
        fetch(new URL('python-worker.js', baseURI)).then((r) => { if (!r.ok) throw new Error(`python-worker.js: HTTP ${r.status}`); return r.text(); }),
        ...FILES.map((name) => fetch(new URL(name, here)).then((r) => {
          if (!r.ok) throw new Error(`python/${name}: HTTP ${r.status}`);
          return r.arrayBuffer();
        }).then((b) => new Uint8Array(b)))]);
      const files = Object.fromEntries(FILES.map((name, i) => [name, bytes[i]]));
      host.memoryKey = await memoryKey(files);
      host.memory = keptMemory(host.memoryKey);
      const f = document.createElement('iframe');
      f.setAttribute('sandbox', 'allow-scripts');
      f.setAttribute('aria-hidden', 'true');
      f.tabIndex = -1;
      f.title = 'Python (sealed)';
      f.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
      const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
      f.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="${escape(FRAME_POLICY)}"><script>${FRAME_SCRIPT}</` + 'script>';
      const ready = new Promise((resolve) => { host.frameReady = resolve; });
      document.body.appendChild(f);
      host.frame = f;
      await ready;
      f.contentWindow.postMessage({ type: 'files', files, worker }, '*');
      const memory = await host.memory;
      if (memory) f.contentWindow.postMessage({ type: 'memory', bytes: memory }, '*');
      return f;
    })();
    host.framed.catch(() => { host.framed = null; });
    return host.framed;
  }
  window.addEventListener('message', (e) => {
    if (!host.frame || e.source !== host.frame.contentWindow) return;
    const m = e.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'frame-ready' && host.frameReady) host.frameReady();
    else if (m.type === 'worker-error') {
      const s = host.sessions.get(m.id);
      if (s) s.fail(`Python stopped: ${String(m.message).slice(0, 500)}`);
    }
  });

  // ---- Python's memory after start-up: kept by the page, used only when its hash is the recorded one. ----
  async function memoryKey(files) {
    const parts = await Promise.all([sha256(files['site.zip']), sha256(files['pyodide-lock.json']),
      sha256(new TextEncoder().encode(navigator.userAgent))]);
    return new URL(`memory-${parts.map((p) => p.slice(0, 16)).join('-')}.bin`, here).href;
  }
  function record() {
    try {
      const r = JSON.parse(localStorage.getItem(MEMORY_RECORD) || 'null');
      return r && typeof r.key === 'string' && typeof r.sha256 === 'string' ? r : null;
    } catch (e) {
      return null;
    }
  }
  async function openCache() {
    try {
      return await caches.open(MEMORY_CACHE);
    } catch (e) {
      return null;  // (no Cache Storage here: every start is a long one)
    }
  }
  async function keptMemory(key) {
    const cache = await openCache();
    if (!cache) return null;
    try {
      const r = record();
      const kept = await cache.match(key);
      if (!kept) return null;
      const bytes = new Uint8Array(await kept.arrayBuffer());
      if (r && r.key === key && bytes.length > 0 && await sha256(bytes) === r.sha256) return bytes;
      await forgetMemory();  // damaged, replaced, or made by no page: dropped, and made again
      return null;
    } catch (e) {
      return null;
    }
  }
  async function keepMemory(bytes) {
    host.storing = true;
    const cache = await openCache();
    if (!cache || !host.memoryKey) {
      host.storing = false;
      return;
    }
    try {
      const sha = await sha256(bytes);
      for (const old of await cache.keys()) await cache.delete(old);
      // (The record first: a start that reads between the two finds no memory, never an unrecorded one.)
      localStorage.setItem(MEMORY_RECORD, JSON.stringify({ key: host.memoryKey, sha256: sha }));
      await cache.put(host.memoryKey, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
      host.memory = Promise.resolve(bytes);
      host.frame.contentWindow.postMessage({ type: 'memory', bytes }, '*');
    } catch (e) {
      // Storage full or refused: the next start is a long one.
    } finally {
      host.storing = false;
    }
  }
  async function forgetMemory() {
    try {
      localStorage.removeItem(MEMORY_RECORD);
    } catch (e) {
      // (storage off)
    }
    const cache = await openCache();
    if (cache) for (const old of await cache.keys()) await cache.delete(old);
    host.memory = Promise.resolve(null);
    if (host.frame) host.frame.contentWindow.postMessage({ type: 'memory', bytes: null }, '*');
  }
  function storageWorks() {
    try {
      localStorage.setItem('asyncplay.probe', '1');
      localStorage.removeItem('asyncplay.probe');
      return typeof caches !== 'undefined';
    } catch (e) {
      return false;
    }
  }

  // ---- Sessions: one worker each, booting, ready, running, ended. ----
  // keeper: a worker that only makes Python's memory for later starts, in the background, and ends once it
  // has (a learner's Python never pays for making it).
  function spawn(keeper = false) {
    const id = host.nextId++;
    const channel = new MessageChannel();
    const s = { id, stage: 'booting', port: channel.port1, onmessage: null, onexit: null, ended: false, keeper };
    let resolveReady, rejectReady;
    s.ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
    s.ready.catch(() => {});
    const timer = setTimeout(() => s.fail(`Python did not start within ${BOOT_LIMIT_MS / 1000} s`), BOOT_LIMIT_MS);
    s.send = (m) => { if (!s.ended) s.port.postMessage(m); };
    s.kill = () => {
      if (s.ended) return;
      s.ended = true;
      clearTimeout(timer);
      s.port.onmessage = null;
      s.port.close();
      host.sessions.delete(id);
      if (host.spare === s) host.spare = null;
      if (host.frame) host.frame.contentWindow.postMessage({ type: 'kill', id }, '*');
    };
    // The worker died, failed to start, or said what it may not: it goes, with a sentence for the run.
    s.fail = (why) => {
      if (s.ended) return;
      const wasBooting = s.stage === 'booting';
      s.kill();
      if (wasBooting) rejectReady(new Error(why));
      if (s.onexit) s.onexit(why);
    };
    s.port.onmessage = (e) => {
      let m;
      try {
        m = checkMessage(e.data, s.stage);
      } catch (err) {
        s.fail(`the program's Python sent something the page does not accept (${err.message}), so it was stopped`);
        return;
      }
      if (m.type === 'memory') {
        if (s.keepMemory) keepMemory(m.bytes);
        s.keepMemory = false;
        if (s.keeper) s.kill();
      } else if (m.type === 'ready') {
        clearTimeout(timer);
        s.stage = 'ready';
        host.lastBoot = { bootMs: m.bootMs, phases: m.phases };
        resolveReady(host.lastBoot);
      } else if (m.type === 'boot-failed') {
        if (s.fromMemory) forgetMemory();  // (a memory that does not start is not used again)
        s.fail(`Python could not start: ${m.message}`);
      } else if (s.onmessage) {
        s.onmessage(m);
      }
    };
    host.sessions.set(id, s);
    frame().then(async (f) => {
      if (s.ended) return;
      const memory = await host.memory;
      if (s.ended) return;
      s.fromMemory = !keeper && !!memory;
      s.keepMemory = keeper && !memory && storageWorks();
      if (keeper && !s.keepMemory) return s.kill();  // (a memory is there already, or cannot be kept)
      f.contentWindow.postMessage({ type: 'spawn', id, useMemory: s.fromMemory, keepMemory: s.keepMemory, port: channel.port2 }, '*', [channel.port2]);
    }, (e) => s.fail(`Python could not start: ${e.message}`));
    return s;
  }

  return {
    // A worker for a program: the spare, or a new one. It is the caller's from now on, to run one program
    // (run(source, base)) and to end (kill()).
    take() {
      const s = host.spare && !host.spare.ended ? host.spare : spawn();
      host.spare = null;
      s.run = (source, base) => {
        s.stage = 'running';
        s.send({ type: 'run', source, base });
      };
      return s;
    },
    // A spare worker starts now (the editor opened, a program ended), unless one is there.
    prepare() {
      if (!host.spare || host.spare.ended) {
        host.spare = spawn();
        host.spare.onexit = () => { host.spare = null; };
      }
      return host.spare.ready;
    },
    // The spare, if it is still starting, stops (a run wants the machine to itself); true if it did.
    dropBootingSpare() {
      const s = host.spare;
      if (!s || s.ended || s.stage !== 'booting') return false;
      host.spare = null;
      s.kill();
      return true;
    },
    // Python's memory for later starts is made now, by a worker of its own, if none is kept yet. Resolves
    // when that worker is done (or there was nothing to make).
    async keepMemorySoon() {
      if (host.keeperAsked || host.storing || (host.keeper && !host.keeper.ended)) return;  // (one maker at a time)
      host.keeperAsked = true;
      try {
        if (await host.memory || !storageWorks()) return;
        const k = spawn(true);
        host.keeper = k;
        k.onexit = () => { if (host.keeper === k) host.keeper = null; };
      } finally {
        host.keeperAsked = false;
      }
    },
    // The memory's maker stops (a run wants the machine to itself); true if one was at work.
    dropKeeper() {
      const k = host.keeper;
      host.keeper = null;
      if (!k || k.ended) return false;
      k.kill();
      return true;
    },
    get lastBoot() { return host.lastBoot; },
    // (tools/bench: a spare worker is ready for the next program)
    get spareReady() { return !!host.spare && !host.spare.ended && host.spare.stage === 'ready'; },
    // (tests: how many workers are alive, and the frame)
    get workers() { return host.sessions.size; },
  };
}
