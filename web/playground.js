// The page's whole JavaScript surface, beside src/web/bridge.cpp (its C++ half):
//   - the Emscripten Module: canvas, error display, the C++ -> JS calls (apFirstFrame, apRunEnded, apProgress,
//     apCopyLink, apCopyEmbed, apSaveFile, apOpenFile, apSavePng)
//   - the in-page latency API: registers sw.js and checks that it answers; probes the dev server
//   - window.playground: { ready, run({path, n, latencyMs, limit, api, status, serverBase, spread, slowEvery,
//                          slowMs, cpuMs, timeoutMs, retries, backoffMs, failPct}), cancel(), apis,
//                          frameStats(), drawFrames(n), heapBytes(), widgetRect(name), lesson(idOrNumber),
//                          lessonState(), permalink(), shownRun(), replayText(), loadRunText(name, text),
//                          lastLink, lastEmbed }
//   - Resource Timing of real-socket runs (stalled vs in flight), downloads and the run-file chooser
//   - lessons: ?lessons=<url> adds a teacher's lesson file, ?lesson=<id> opens one; the place and the
//     ✓ marks are kept in localStorage
//   - the host-page API (when embedded): postMessage events to the parent (ready, lesson, run-finished) and
//     commands from it (set-lesson, run, get-state), only with the origin named by ?origin= (default: this
//     page's own origin); see the README
//   - the theme follows prefers-color-scheme unless ?theme= says otherwise; Tab leaves the canvas after its
//     last control
// No application logic lives here: runs, timing and drawing are C++.
(function () {
  'use strict';
  const PATHS = ['sequential', 'concurrent', 'bounded', 'sync_client', 'await_in_loop', 'as_completed', 'task_group', 'pool_limit',
    'blocking_in_async', 'thread_pool', 'retry_backoff'];
  const SPREADS = ['even', 'uneven', 'slow_tail'];
  const APIS = ['page', 'server', 'simulated'];
  const status = document.getElementById('status');
  const pending = new Map();  // ticket -> {resolve}
  const endedEarly = new Map();  // ticket -> result, for runs that ended inside ap_js_run (0 ms, simulated)
  let insideRunCall = false;
  let firstFrame = false;
  let firstFrameMs = null;
  let apis = null;
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });

  function showError(text) {
    status.textContent = text;
    status.className = 'error';
  }

  function settle() {
    if (!firstFrame || !apis) return;
    status.className = 'hidden';
    resolveReady({ apis });
  }

  window.Module = {
    canvas: document.getElementById('canvas'),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    onAbort: (what) => showError('The playground stopped: ' + what + '\nReload the page to start again.'),
    apFirstFrame() {
      firstFrameMs = performance.now();  // since navigation started
      restoreProgress();
      loadExtraLessons().then(() => {
        applyUrl();
        followSystemTheme();
        checkHostOrigin();
        firstFrame = true;
        settle();
        ready.then(() => {
          const lesson = lessonSummary();
          lastLessonId = lesson ? lesson.id : null;  // 'ready' carries the first lesson; 'lesson' events the changes
          toHost({ type: 'ready', lesson, version: 1 });
        });
      });
    },
    apCopyLink(query) {
      lastLink = `${location.origin}${location.pathname}?${query}`;
      copyText(lastLink, 'Link');
    },
    apCopyEmbed(query) {
      const params = new URLSearchParams(query);
      params.set('embed', '1');
      lastEmbed = embedCode(`${location.origin}${location.pathname}?${params}`);
      copyText(lastEmbed, 'Embed code');
    },
    // Files for the learner: a run file, the history as CSV.
    apSaveFile(name, mime, text) {
      download(name, new Blob([text], { type: mime }));
      announce(`Saved ${name}.`);
    },
    apOpenFile() {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = '.json,application/json';
      input.addEventListener('change', () => {
        const file = input.files && input.files[0];
        if (!file) return;
        loadRunFile(file.name, file);
      }, { once: true });
      input.click();
    },
    // The results panel as a picture: called right after the frame that drew it, while the canvas holds it.
    apSavePng(x, y, w, h) {
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
    },
    apProgress(json) {
      if (firstFrame) {
        announceLesson();
        postLessonIfChanged();
      }
      syncTheme();
      try {
        localStorage.setItem(PROGRESS_KEY, json);
      } catch (e) {
        // Storage may be off (private mode, a sandboxed iframe): the page still works, it just forgets.
      }
    },
    apRunEnded(ticket, json) {
      const result = JSON.parse(json);
      mirrorRun(result);
      // (Entries come in once each response is complete: look a moment later. Other runs' entries go.)
      if (result.api === 'server') setTimeout(() => splitStalled(result), 100);
      else if (performance.clearResourceTimings) performance.clearResourceTimings();
      // After the current script: a run that ends inside run() is told its ticket's command first.
      queueMicrotask(() => {
        const command = hostRuns.get(ticket);
        hostRuns.delete(ticket);
        toHost({ type: 'run-finished', id: command ? command.id : undefined, result });
      });
      window.dispatchEvent(new CustomEvent('playground:run-ended', { detail: result }));
      const p = pending.get(ticket);
      if (p) {
        pending.delete(ticket);
        p.resolve(result);
      } else if (insideRunCall) {
        endedEarly.set(ticket, result);
      }
    },
    onRuntimeInitialized() {
      probeApis().then((found) => {
        apis = found;
        Module.ccall('ap_js_set_apis', null, ['number', 'string', 'string', 'number', 'string', 'string'],
          [found.page.ready ? 1 : 0, found.page.base, found.page.note, found.server.ready ? 1 : 0, found.server.base, found.server.note]);
        settle();
      });
    },
  };

  function download(name, blob) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  const MAX_RUN_FILE = 16 * 1024 * 1024;
  function loadRunFile(name, file) {
    const fail = (why) => Module.ccall('ap_js_load_run', 'number', ['string', 'string', 'string'], [name, '', why]);
    if (file.size > MAX_RUN_FILE) return fail(`it is ${Math.round(file.size / 1048576)} MB; a run file is at most 16 MB`);
    file.text().then((text) => Module.ccall('ap_js_load_run', 'number', ['string', 'string', 'string'], [name, text, '']),
      (e) => fail(e.message || 'the browser could not read it'));
  }

  // Real sockets: the browser's Resource Timing says how long each request stalled waiting for one of its
  // connections before it went out. Matched to the run's requests by their ?i= and &attempt= parameters.
  if (performance.setResourceTimingBufferSize) performance.setResourceTimingBufferSize(50000);
  function splitStalled(result) {
    const rows = [];
    for (const e of performance.getEntriesByType('resource')) {
      if (e.startTime < result.startAbsMs - 1 || !e.name.includes('/api/delay/')) continue;
      let url;
      try { url = new URL(e.name); } catch (err) { continue; }
      const i = Number(url.searchParams.get('i'));
      if (!Number.isInteger(i) || url.searchParams.has('probe')) continue;
      const attempt = Number(url.searchParams.get('attempt') || 0);
      // requestStart is 0 when the server sent no Timing-Allow-Origin (another origin without it).
      if (!(e.requestStart > 0)) continue;
      rows.push(`${i},${attempt},${e.requestStart.toFixed(3)},${(e.responseStart || 0).toFixed(3)}`);
    }
    performance.clearResourceTimings();
    if (rows.length) Module.ccall('ap_js_resource_timing', 'number', ['number', 'string'], [result.generation, rows.join(';')]);
  }

  function copyText(text, what) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(() => announce(`${what} copied.`), () => announce(`${what}: ${text}`));
    } else {
      announce(`${what}: ${text}`);
    }
  }

  // The iframe a teacher pastes into a course page: sized for the compact layout, titled for screen readers.
  function embedCode(url) {
    const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    return `<iframe src="${attr(url)}" title="Async API playground" width="760" height="560" ` +
      `style="border:0;max-width:100%" loading="lazy" allow="clipboard-write"></iframe>`;
  }

  // ---- Themes: the URL's theme= wins; otherwise the system's light or dark setting, followed live. ----
  function followSystemTheme() {
    if (!window.matchMedia) return;
    const query = window.matchMedia('(prefers-color-scheme: light)');
    const tell = () => Module.ccall('ap_js_set_system_theme', null, ['number'], [query.matches ? 1 : 0]);
    tell();
    if (query.addEventListener) query.addEventListener('change', tell);
    syncTheme();
  }
  function syncTheme() {
    const s = lessonState();
    if (s) document.documentElement.dataset.theme = s.theme;
  }

  // ---- Keyboard: Tab moves through the canvas's controls, then on to the host page. ----
  // The capture listener runs before SDL's (which would keep Tab inside the canvas for good).
  window.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.target !== Module.canvas || !Module.ccall) return;
    if (Module.ccall('ap_js_tab_leaves', 'number', ['number'], [e.shiftKey ? 1 : 0])) e.stopPropagation();
  }, true);

  // ---- The host-page API: postMessage to and from the page that embeds this one. ----
  const embedded = window.parent !== window;
  let hostOrigin = location.origin;  // ?origin= names another one; '*' is never accepted
  const hostRuns = new Map();  // ticket -> the command that started it
  let lastLessonId = null;
  function checkHostOrigin() {
    const asked = params.get('origin');
    if (asked === null) return;
    let origin = null;
    try {
      origin = new URL(asked).origin;
    } catch (e) {
      origin = null;
    }
    if (!origin || origin === 'null' || origin !== asked.replace(/\/$/, '')) {
      Module.ccall('ap_js_note', null, ['string'], [`Link: origin=${asked} is not an origin like https://course.example; ` +
        `the host-page API only talks to ${location.origin}.`]);
      return;
    }
    hostOrigin = origin;
  }
  function toHost(message) {
    if (!embedded) return;
    try {
      window.parent.postMessage({ source: 'asyncplay', ...message }, hostOrigin);
    } catch (e) {
      // A parent of another origin than hostOrigin: the browser drops the message, as it should.
    }
  }
  function lessonSummary() {
    const s = lessonState();
    return s ? { id: s.id, index: s.index, number: s.index + 1, count: s.count, title: s.title, claim: s.claim, path: s.path } : null;
  }
  function postLessonIfChanged() {
    const s = lessonSummary();
    if (!s || s.id === lastLessonId) return;
    lastLessonId = s.id;
    toHost({ type: 'lesson', lesson: s });
  }
  window.addEventListener('message', (e) => {
    if (!embedded || e.source !== window.parent || e.origin !== hostOrigin) return;
    const m = e.data;
    if (!m || typeof m !== 'object' || m.target !== 'asyncplay') return;
    const fail = (message) => toHost({ type: 'error', id: m.id, command: m.type, message });
    ready.then(() => {
      switch (m.type) {
        case 'set-lesson':
          if (Module.ccall('ap_js_select_lesson', 'number', ['string'], [String(m.lesson)]) < 0) return fail(`no lesson ${m.lesson}`);
          return postLessonIfChanged();
        case 'run': {
          const o = m.options && typeof m.options === 'object' ? m.options : {};
          const started = run({ ...currentSettings(), ...o }, (ticket) => hostRuns.set(ticket, m));
          return started.catch((err) => fail(err.message));
        }
        case 'get-state':
          return toHost({ type: 'state', id: m.id, lesson: lessonSummary(), permalink: permalink() });
        default:
          return fail(`unknown command ${JSON.stringify(m.type)}; known: set-lesson, run, get-state`);
      }
    });
  });
  // What the page's controls say now, in run()'s terms: a host's run command changes only what it names.
  function currentSettings() {
    return JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_desc', 'number', [], [])));
  }

  // SDL cancels mousedown's default action, which would have focused the canvas; keys only reach the page
  // while the canvas has focus (so an embedded page never takes a host page's keystrokes).
  Module.canvas.addEventListener('pointerdown', () => Module.canvas.focus());

  window.addEventListener('error', (e) => { if (!firstFrame) showError('The playground could not start: ' + e.message); });

  // The screen-reader mirror: what the canvas shows, as text a reader can announce and a table it can walk.
  const live = document.getElementById('live');
  const historyBody = document.querySelector('#history tbody');
  let runNumber = 0;
  function announce(text) {
    live.textContent = text;
  }
  function mirrorRun(r) {
    announce(r.summary);
    const row = document.createElement('tr');
    const ms = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
    for (const cell of [++runNumber, r.path, r.n, `${r.latencyMs} ms`, r.api, r.state === 'cancelled' ? 'cancelled' : ms(r.wallMs), ms(r.expectedMs)]) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      row.appendChild(td);
    }
    historyBody.appendChild(row);
  }
  function announceLesson() {
    const s = lessonState();
    if (s) announce(`Lesson ${s.index + 1} of ${s.count}: ${s.title}. Claim: ${s.claim}.`);
  }

  const PROGRESS_KEY = 'asyncplay.progress';
  const params = new URLSearchParams(location.search);

  // The learner's place and ✓ marks from the last visit; ?lesson=<id or number> wins over them.
  function restoreProgress() {
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(PROGRESS_KEY) || 'null');
    } catch (e) {
      saved = null;
    }
    const done = saved && Array.isArray(saved.done) ? saved.done.filter((d) => typeof d === 'string') : [];
    const lesson = saved && typeof saved.lesson === 'string' ? saved.lesson : '';
    Module.ccall('ap_js_restore_progress', null, ['string', 'string'], [lesson, done.join(',')]);
  }

  // A permalink's state (?lesson=...&path=...&n=...): applied after the extra lessons are in.
  function applyUrl() {
    if (location.search) Module.ccall('ap_js_apply_url', null, ['string'], [location.search]);
  }

  let lastLink = null;
  let lastEmbed = null;
  function permalink() {
    const query = Module.UTF8ToString(Module.ccall('ap_js_permalink', 'number', [], []));
    return `${location.origin}${location.pathname}?${query}`;
  }

  // A teacher's extra lessons: ?lessons=<url of a lesson file>. A bad file costs nothing but a message.
  async function loadExtraLessons() {
    const url = params.get('lessons');
    if (!url) return;
    const name = url.split('/').pop() || url;
    try {
      const reply = await withTimeout(fetch(url, { cache: 'no-store' }), 10000, `loading ${name}`);
      if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
      Module.ccall('ap_js_add_lessons', 'number', ['string', 'string'], [name, await reply.text()]);
    } catch (e) {
      Module.ccall('ap_js_lesson_file_error', null, ['string'], [`${name}: could not be loaded (${e.message}); the built-in lessons are here`]);
    }
  }

  function withTimeout(promise, ms, what) {
    return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(what + ' took over ' + ms + ' ms')), ms))]);
  }

  async function startInPageApi() {
    const base = new URL('inpage', location.href).href;
    if (!('serviceWorker' in navigator)) {
      return { ready: false, base, note: 'this browser has no service workers (or the page is opened from a file)' };
    }
    if (!window.isSecureContext) {
      return { ready: false, base, note: 'service workers need https or localhost; this page is ' + location.origin };
    }
    try {
      await navigator.serviceWorker.register('sw.js');
      if (!navigator.serviceWorker.controller) {
        await withTimeout(new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })),
          5000, 'starting the service worker');
      }
      const reply = await withTimeout(fetch(base + '/api/delay/0?probe=1', { cache: 'no-store' }), 5000, 'the first in-page answer');
      if (reply.headers.get('X-Served-By') !== 'playground-sw') throw new Error('the answer did not come from the service worker');
      await reply.json();
      return { ready: true, base, note: 'serving' };
    } catch (e) {
      return { ready: false, base, note: 'the service worker did not start: ' + e.message };
    }
  }

  async function probeServer() {
    const base = location.protocol.startsWith('http') ? location.origin : '';
    if (!base) return { ready: false, base: 'http://127.0.0.1:8000', note: 'the page is not served over http' };
    try {
      const reply = await withTimeout(fetch(base + '/api/delay/0?probe=1', { cache: 'no-store' }), 5000, 'the dev server');
      const body = reply.ok ? await reply.json() : null;
      if (body && body.delay_ms === 0) return { ready: true, base, note: 'reachable' };
      return { ready: false, base, note: 'the page\'s host does not serve /api/delay (a static host?)' };
    } catch (e) {
      return { ready: false, base, note: e.message };
    }
  }

  async function probeApis() {
    // The in-page API first: once the service worker controls the page, the server probe passes through it.
    const page = await startInPageApi();
    const server = await probeServer();
    return { page, server };
  }

  function run(options = {}, onTicket = null) {
    const o = {
      path: 'concurrent', n: 10, latencyMs: 200, limit: 5, api: 'page', status: 200, spread: 'even', slowEvery: 10,
      slowMs: 3000, cpuMs: 0, timeoutMs: 20000, retries: 0, backoffMs: 100, failPct: 0, ...options,
    };
    if (!PATHS.includes(o.path)) return Promise.reject(new Error(`path must be one of ${PATHS.join(', ')}; got ${o.path}`));
    if (!APIS.includes(o.api)) return Promise.reject(new Error(`api must be one of ${APIS.join(', ')}; got ${o.api}`));
    if (!SPREADS.includes(o.spread)) return Promise.reject(new Error(`spread must be one of ${SPREADS.join(', ')}; got ${o.spread}`));
    for (const key of ['n', 'latencyMs', 'limit', 'status', 'slowEvery', 'slowMs', 'cpuMs', 'timeoutMs', 'retries', 'backoffMs', 'failPct']) {
      if (!Number.isFinite(Number(o[key]))) return Promise.reject(new Error(`${key} must be a number; got ${o[key]}`));
    }
    const clampInt = (v) => Math.max(-2147483648, Math.min(2147483647, Math.round(Number(v))));
    return ready.then(() => new Promise((resolve, reject) => {
      if (o.serverBase !== undefined) Module.ccall('ap_js_set_server_base', null, ['string'], [String(o.serverBase)]);
      Module.ccall('ap_js_set_knobs', null, ['string', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'],
        [o.spread, clampInt(o.slowEvery), clampInt(o.slowMs), clampInt(o.cpuMs), clampInt(o.timeoutMs), clampInt(o.retries),
          clampInt(o.backoffMs), clampInt(o.failPct), 0]);
      insideRunCall = true;
      let ticket = 0;
      try {
        ticket = Module.ccall('ap_js_run', 'number', ['string', 'number', 'number', 'number', 'string', 'number'],
          [o.path, clampInt(o.n), clampInt(o.latencyMs), clampInt(o.limit), o.api, clampInt(o.status)]);
      } finally {
        insideRunCall = false;
      }
      if (!ticket) return reject(new Error('the playground refused the run'));
      if (onTicket) onTicket(ticket);
      if (endedEarly.has(ticket)) {
        resolve(endedEarly.get(ticket));
        endedEarly.delete(ticket);
      } else {
        pending.set(ticket, { resolve });
      }
    }));
  }

  function cancel() {
    return ready.then(() => Module.ccall('ap_js_cancel', null, [], []));
  }

  // Draws `count` frames although nothing changed; resolves to their mean main-thread time in ms.
  function drawFrames(count = 10) {
    const before = frameStats();
    Module.ccall('ap_js_force_frames', null, ['number'], [count]);
    return new Promise((resolve) => {
      const check = () => {
        const now = frameStats();
        if (now.drawn >= before.drawn + count) resolve({ frames: now.drawn - before.drawn, meanMs: (now.totalMs - before.totalMs) / (now.drawn - before.drawn) });
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  }

  // Bytes the program holds in its heap right now (malloc's count, not the heap's reserved size).
  function heapBytes() {
    return Module.ccall('ap_js_heap_bytes', 'number', [], []);
  }

  function frameStats() {
    return JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_frame_stats', 'number', [], [])));
  }

  // Where the page last drew a named control ("run", "cancel", "path:sequential", "n", "api", ...), in CSS
  // pixels relative to the canvas; null when it is not on screen.
  function widgetRect(name) {
    const rect = JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_widget_rect', 'number', ['string'], [String(name)])));
    if (!rect) return null;
    const c = Module.canvas.getBoundingClientRect();
    return { x: rect.x + c.left, y: rect.y + c.top, w: rect.w, h: rect.h };
  }

  // Opens a lesson by id or by its 1-based number; resolves to the lesson's state.
  function lesson(which) {
    return ready.then(() => {
      if (Module.ccall('ap_js_select_lesson', 'number', ['string'], [String(which)]) < 0) throw new Error(`no lesson ${which}`);
      return lessonState();
    });
  }

  function lessonState() {
    return JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_lesson_state', 'number', [], [])));
  }

  window.playground = {
    shownRun: () => JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_shown_run', 'number', [], []))),
    replayText: () => JSON.parse(Module.UTF8ToString(Module.ccall('ap_js_shown_run', 'number', [], []))).replayText,
    loadRunText: (name, text) => Module.ccall('ap_js_load_run', 'number', ['string', 'string', 'string'], [name, text, '']) === 1,
    ready, run, cancel, frameStats, drawFrames, heapBytes, widgetRect, lesson, lessonState,
    get apis() { return apis; },
    get firstFrameMs() { return firstFrameMs; },
    get lastLink() { return lastLink; },
    get lastEmbed() { return lastEmbed; },
    permalink,
  };
})();
