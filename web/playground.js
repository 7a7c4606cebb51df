// The page's whole JavaScript surface, beside src/web/bridge.cpp (its C++ half):
//   - the Emscripten Module: canvas, error display, the C++ -> JS calls (apFirstFrame, apRunEnded, apProgress,
//     apCopyLink, apCopyEmbed, apCopyText, apSaveFile, apOpenFile, apSavePng)
//   - the in-page latency API: registers sw.js and checks that it answers; probes the dev server
//   - window.playground: { ready, run({path, n, latencyMs, limit, api, status, serverBase, spread, slowEvery,
//                          slowMs, cpuMs, timeoutMs, retries, backoffMs, failPct}), cancel(), apis,
//                          frameStats(), drawFrames(n), heapBytes(), openRequests(), stepper(), widgetRect(name), lesson(idOrNumber),
//                          lessonState(), permalink(), shownRun(), replayText(), loadRunText(name, text),
//                          lastLink, lastEmbed, lastCopy, runProgram(source, {api}), stopProgram(),
//                          codeProgram(), editorText, editorLitLine }
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

  // Calls an exported C++ function (src/web/bridge.cpp) with text arguments, copied through the heap (never
  // the stack, which a text of megabytes would overflow), and returns its number, or its text when
  // `returns` is 'text', or its JSON parsed when 'json'.
  function callC(name, args = [], returns = 'number') {
    const pointers = [];
    try {
      const values = args.map((a) => {
        if (typeof a !== 'string') return a;
        const size = Module.lengthBytesUTF8(a) + 1;
        const p = Module._malloc(size);
        if (!p) throw new Error(`no memory for a text of ${size} bytes`);
        pointers.push(p);
        Module.stringToUTF8(a, p, size);
        return p;
      });
      const result = Module['_' + name](...values);
      if (returns === 'number') return result;
      const text = Module.UTF8ToString(result);
      return returns === 'json' ? JSON.parse(text) : text;
    } finally {
      for (const p of pointers) Module._free(p);
    }
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
      // A teacher's lessons first: the place kept from the last visit may be one of them.
      loadExtraLessons().then(() => {
        restoreProgress();
        restoreHistory();
        applyUrl();
        followSystemTheme();
        checkHostOrigin();
        firstFrame = true;
        settle();
        ready.then(() => {
          openLinkedProgram();
          const lesson = lessonSummary();
          lastLessonId = lesson ? lesson.id : null;  // 'ready' carries the first lesson; 'lesson' events the changes
          toHost({ type: 'ready', lesson, version: 1 });
        });
      });
    },
    apCopyLink(query) {
      const link = `${location.origin}${location.pathname}?${query}`;
      // With the editor open, the link carries its program, compressed, after '#' (never sent to a server).
      const typed = editor && editor.cm && !editor.box.hidden ? editor.cm.text() : '';
      if (!typed) {
        lastLink = link;
        copyText(lastLink, 'Link');
        return;
      }
      packProgram(typed).then((packed) => {
        if (packed.length > MAX_PROGRAM_LINK) {
          lastLink = link;
          copyText(lastLink, 'Link', `Link (without the program: ${Math.round(packed.length / 1024)} KB packed is more than a link holds)`);
          announce(`The program is too long for a link (${Math.round(packed.length / 1024)} KB packed); the link has the settings only.`);
          return;
        }
        lastLink = `${link}#program=${packed}`;
        copyText(lastLink, 'Link with the program');
      });
    },
    // The code panel's program, with the learner's numbers (a file is one click away: Save as .py).
    apCopyText(what, text) {
      lastCopy = text;
      copyText(text, what, `${what}: the browser did not let the page copy; use Save as .py.`);
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
    // The Run button was pressed for a real API: measure what it costs now, unless that was done a moment ago.
    apRequestCosts(api) {
      recalibrate(api, true);
    },
    // The playground in a tab of its own (not embedded: its in-page API may start there).
    apOpenTab(query) {
      const params = new URLSearchParams(query);
      params.delete('embed');
      window.open(`${location.origin}${location.pathname}?${params}`, '_blank', 'noopener');
      announce('Opened in a new tab.');
    },
    // The history changed: keep it (a moment later, once, however many runs end meanwhile).
    apHistoryChanged() {
      if (historySave) return;
      historySave = setTimeout(saveHistory, 1000);
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
        callC('ap_js_set_apis', [JSON.stringify(found)]);
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
  function loadRunText(name, text) {
    if (text.length > MAX_RUN_FILE) return callC('ap_js_load_run', [name, '', `it is ${sizeText(text.length)}; a run file is at most 16 MB`]) === 1;
    return callC('ap_js_load_run', [name, text, '']) === 1;
  }
  function loadRunFile(name, file) {
    const fail = (why) => callC('ap_js_load_run', [name, '', why]);
    if (file.size > MAX_RUN_FILE) return fail(`it is ${Math.round(file.size / 1048576)} MB; a run file is at most 16 MB`);
    file.text().then((text) => loadRunText(name, text),
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
      rows.push([i, attempt, e.requestStart, e.responseStart || 0]);
    }
    performance.clearResourceTimings();
    if (rows.length) callC('ap_js_resource_timing', [JSON.stringify({ generation: result.generation, attempts: rows })]);
  }

  function copyText(text, what, refused = `${what}: ${text}`) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(() => announce(`${what} copied.`), () => announce(refused));
    } else {
      announce(refused);
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
    const tell = () => callC('ap_js_set_system_theme', [query.matches ? 1 : 0]);
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
  // A Tab into the canvas from the page around it starts the ring at the first control, a Shift+Tab at the last.
  let lastTab = null;
  window.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    lastTab = { backwards: e.shiftKey, at: performance.now() };
    if (e.target !== Module.canvas || !Module._ap_js_tab_leaves) return;
    if (callC('ap_js_tab_leaves', [e.shiftKey ? 1 : 0])) e.stopPropagation();
  }, true);
  Module.canvas.addEventListener('focus', () => {
    if (!lastTab || performance.now() - lastTab.at > 500 || !Module._ap_js_focus_enter) return;
    callC('ap_js_focus_enter', [lastTab.backwards ? 1 : 0]);
    lastTab = null;
  });

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
      callC('ap_js_note', [`Link: origin=${asked} is not an origin like https://course.example; ` +
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
  function hostCommand(m, id, fail) {
    {
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
          const started = run({ ...currentSettings(), ...o }, (ticket) => hostRuns.set(ticket, { id }));
          return started.catch((err) => fail(err.message));
        }
        case 'get-state':
          return toHost({ type: 'state', id, lesson: lessonSummary(), permalink: permalink() });
        case 'set-program':
        case 'run-program': {
          // The learner's own program: shown in the editor, and run (run-program) on the chosen API.
          if (typeof m.source !== 'string') return fail('source must be the program, as a text');
          if (m.source.length > MAX_COMMAND) return fail(`the program is ${sizeText(m.source.length)}; a command is at most 64 KB`);
          if (!editor || editor.box.hidden) callC('ap_js_editor_opened');
          openEditor(m.source);
          if (m.type === 'set-program') return toHost({ type: 'program-set', id });
          const api = m.options && typeof m.options.api === 'string' ? m.options.api : currentSettings().api;
          return runProgram(m.source, { api }).then((result) => toHost({ type: 'program-finished', id, result }), (err) => fail(err.message));
        }
        default:
          return fail(`unknown command ${JSON.stringify(String(m.type).slice(0, 100))}; known: set-lesson, run, get-state, set-program, run-program`);
      }
    }
  }
  // What the page's controls say now, in run()'s terms: a host's run command changes only what it names.
  function currentSettings() {
    return callC('ap_js_desc', [], 'json');
  }

  // SDL cancels mousedown's default action, which would have focused the canvas; keys only reach the page
  // while the canvas has focus (so an embedded page never takes a host page's keystrokes).
  // Cancel acts on the press, at once: while a run's CPU work keeps the page's thread busy, frames (and a
  // click's release) come late, but a pointer event comes between two answers' work (src/web/main.cpp).
  Module.canvas.addEventListener('pointerdown', (e) => {
    Module.canvas.focus();
    const r = Module._ap_js_widget_rect ? widgetRect('cancel') : null;
    if (r && r.enabled && e.clientX >= r.x && e.clientX < r.x + r.w && e.clientY >= r.y && e.clientY < r.y + r.h) callC('ap_js_cancel');
  });

  // An error before the first frame means the page never started; a WebAssembly trap after it means the
  // program is dead (its memory may be broken): either way, say so instead of leaving a frozen page.
  window.addEventListener('error', (e) => {
    if (!firstFrame) showError('The playground could not start: ' + e.message);
    else if (e.error instanceof WebAssembly.RuntimeError) showError('The playground stopped (' + e.message + '). Reload the page to start again.');
  });
  window.addEventListener('unhandledrejection', (e) => {
    if (firstFrame && e.reason instanceof WebAssembly.RuntimeError) showError('The playground stopped (' + e.reason.message + '). Reload the page to start again.');
  });

  // The screen-reader mirror: what the canvas shows, as text a reader can announce and a table it can walk.
  const live = document.getElementById('live');
  const historyBody = document.querySelector('#history tbody');
  let runNumber = 0;
  function announce(text) {
    live.textContent = text;
  }
  const MIRROR_ROWS = 200;  // the table a screen reader walks keeps the newest runs
  function mirrorRun(r) {
    announce(r.summary);
    mirrorRow(r.number || ++runNumber, r);
  }
  function mirrorRow(number, r) {
    const row = document.createElement('tr');
    const ms = (v) => callC('ap_js_duration_text', [Number(v) || 0], 'text');
    runNumber = Math.max(runNumber, number);
    for (const cell of [number, r.path, r.n, `${r.latencyMs} ms`, r.api, r.state === 'cancelled' ? 'cancelled' : ms(r.wallMs), ms(r.expectedMs)]) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      row.appendChild(td);
    }
    historyBody.appendChild(row);
    while (historyBody.rows.length > MIRROR_ROWS) historyBody.deleteRow(0);
  }

  // ---- The history, kept across a reload (the newest 300 runs, as summaries). ----
  const HISTORY_KEY = 'asyncplay.history';
  let historySave = null;
  function saveHistory() {
    historySave = null;
    try {
      localStorage.setItem(HISTORY_KEY, callC('ap_js_history_json', [], 'text'));
    } catch (e) {
      // Storage full or off: the history lasts this visit only.
    }
  }
  window.addEventListener('pagehide', () => { if (historySave) { clearTimeout(historySave); saveHistory(); } });
  function restoreHistory() {
    let saved = null;
    try {
      saved = localStorage.getItem(HISTORY_KEY);
    } catch (e) {
      saved = null;
    }
    if (!saved || !callC('ap_js_restore_history', [saved])) return;
    let entries = [];
    try {
      entries = JSON.parse(saved);
    } catch (e) {
      entries = [];
    }
    for (const e of Array.isArray(entries) ? entries.slice(-MIRROR_ROWS) : []) {
      if (!e || !e.desc || !e.stats) continue;
      mirrorRow(e.number, { path: e.desc.path, n: e.desc.count, latencyMs: e.desc.latency_ms, api: e.desc.api, state: e.state,
        wallMs: e.stats.wall_ms, expectedMs: e.stats.expected_ms });
    }
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
    callC('ap_js_restore_progress', [JSON.stringify({ lesson, done })]);
  }

  // A permalink's state (?lesson=...&path=...&n=...): applied after the extra lessons are in.
  function applyUrl() {
    if (location.search.length > MAX_QUERY) {
      callC('ap_js_note', [`Link: the address's settings are ${sizeText(location.search.length)} long; a playground link holds at most 8 KB, so none of them were used.`]);
      return;
    }
    if (location.search) callC('ap_js_apply_url', [location.search]);
  }

  // A program in a link: deflate-raw, then base64url, after #program= (the browser keeps a fragment to itself).
  const MAX_PROGRAM_LINK = 64 * 1024;
  async function packProgram(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  async function unpackProgram(packed) {
    if (packed.length > MAX_PROGRAM_LINK) throw new Error(`it is ${sizeText(packed.length)} long; a program in a link is at most 64 KB packed`);
    if (!/^[A-Za-z0-9_-]*$/.test(packed)) throw new Error('it is damaged: a packed program has only letters, digits, - and _');
    let binary;
    try {
      binary = atob(packed.replace(/-/g, '+').replace(/_/g, '/'));
    } catch (e) {
      throw new Error('it is damaged: not a program packed by this page (was the link cut short?)');
    }
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    let text;
    try {
      text = await new Response(stream).text();
    } catch (e) {
      throw new Error('it is damaged: not a program packed by this page (was the link cut short?)');
    }
    if (text.length > 1 << 20) throw new Error('it unpacks to more than 1 MB');
    return text;
  }
  // A link with #program=: opens the editor with that program once the page is ready.
  function openLinkedProgram() {
    const m = /^#program=(.*)$/.exec(location.hash);
    if (!m) return;
    unpackProgram(m[1]).then((text) => {
      callC('ap_js_editor_opened');
      openEditor(text);
    }, (e) => callC('ap_js_note', [`Link: the program in this link could not be read (${e.message || e}); the lesson's program is shown.`]));
  }

  let lastLink = null;
  let lastEmbed = null;
  let lastCopy = null;
  function permalink() {
    const query = callC('ap_js_permalink', [], 'text');
    return `${location.origin}${location.pathname}?${query}`;
  }

  // A teacher's extra lessons: ?lessons=<url of a lesson file>. A bad file costs nothing but a message.
  // The sizes the page takes from outside: bigger ones are refused with a sentence, never passed on.
  const MAX_LESSON_FILE = 1 << 20;     // 1 MB: ten lessons are 8 KB
  const MAX_QUERY = 8192;              // a link's ?... part
  const MAX_LESSON_ID = 200;
  const MAX_COMMAND = 64 * 1024;       // a host page's command, as JSON
  // A size as a reader says it: KB below 1 MB, MB above.
  const sizeText = (n) => (n < 1048576 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1048576).toFixed(1)} MB`);

  async function loadExtraLessons() {
    const url = params.get('lessons');
    if (!url) return;
    const name = (url.split('/').pop() || url).slice(0, 80);
    // One deadline for the whole file, its body included: a server that never finishes is cut off.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10000);
    try {
      const reply = await fetch(url, { cache: 'no-store', signal: abort.signal });
      if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
      const size = Number(reply.headers.get('Content-Length'));
      if (size > MAX_LESSON_FILE) throw new Error(`it is ${sizeText(size)}; a lesson file is at most 1 MB`);
      const text = await reply.text();
      if (text.length > MAX_LESSON_FILE) throw new Error(`it is ${sizeText(text.length)}; a lesson file is at most 1 MB`);
      callC('ap_js_add_lessons', [name, text]);
    } catch (e) {
      const why = abort.signal.aborted ? 'it did not arrive within 10 s' : e.message;
      callC('ap_js_lesson_file_error', [`${name}: could not be loaded (${why}); the built-in lessons are here`]);
    } finally {
      clearTimeout(timer);
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
      // Inside another site's page a browser that blocks third-party storage (Safari, Firefox strict, this
      // Chromium) refuses the service worker: say so in words a learner understands.
      let thirdParty = false;
      try {
        thirdParty = window.top !== window.self &&
          (/denied|permission/i.test(e.message) || (document.hasStorageAccess && !(await document.hasStorageAccess())));
      } catch (err) {
        thirdParty = false;
      }
      if (thirdParty) {
        return { ready: false, blocked: true, base, note: 'the page is inside another site\'s page, and the browser does not let it start a service worker there' };
      }
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
    // What each one costs in this browser, before any run is judged against it.
    if (page.ready) page.cost = await measureCost(page.base, PAGE_BURST).catch(() => undefined);
    if (server.ready) server.cost = await measureCost(server.base, SERVER_BURST).catch(() => undefined);
    measuredAt.page = measuredAt.server = performance.now();
    return { page, server };
  }

  // ---- What the browser costs: measured with plain fetch calls, the same requests a run makes. ----
  // A round trip (the median of 5 zero-delay requests, one at a time), and how far apart the browser hands
  // answers over when many come at once (a burst of zero-delay requests). The model adds both to every
  // expectation, as named parts (src/core/scheduler.h), so a verdict holds on a slow machine as on a fast one.
  const PAGE_BURST = 24;
  const SERVER_BURST = 6;  // within the browser's 6 connections per host, which the model plays itself
  async function measureCost(base, burst) {
    const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const once = async (i) => {
      const reply = await fetch(`${base}/api/delay/0?probe=1&c=${stamp}-${i}`, { cache: 'no-store' });
      await reply.arrayBuffer();
    };
    const trips = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await once(i);
      trips.push(performance.now() - t0);
    }
    trips.sort((a, b) => a - b);
    const roundTripMs = trips[2];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: burst }, (_, i) => once(100 + i)));
    const total = performance.now() - t0;
    return { roundTripMs, handoverMs: Math.max(0, (total - roundTripMs) / (burst - 1)) };
  }
  // Measured again before a run through a real API when the figures are older than FRESH_MS (a machine
  // that got busy meanwhile is measured busy); the run waits. Not after a run: the claim beside Run would
  // then move away from the expectation the finished run was judged by, and show two figures for one run.
  const FRESH_MS = 2000;
  const measuredAt = {};
  let calibration = Promise.resolve();
  function recalibrate(api, onlyIfStale = false) {
    calibration = calibration.then(async () => {
      const which = !apis ? null : api === 'page' ? apis.page : api === 'server' ? apis.server : null;
      if (!which || !which.ready || (onlyIfStale && performance.now() - (measuredAt[api] || 0) < FRESH_MS)) {
        callC('ap_js_calibrating', [0]);
        return;
      }
      callC('ap_js_calibrating', [1]);
      try {
        const cost = await measureCost(which.base, api === 'page' ? PAGE_BURST : SERVER_BURST);
        which.cost = cost;
        measuredAt[api] = performance.now();
        callC('ap_js_set_costs', [JSON.stringify({ [api]: cost })]);
      } catch (e) {
        // The last figures stay.
      } finally {
        callC('ap_js_calibrating', [0]);
      }
    });
    return calibration;
  }

  // Starts a run with these options (the page's defaults for the rest); the settings are checked and clamped
  // by C++ (src/core/fields.h), which rejects unknown names and values that are not numbers.
  function run(options = {}, onTicket = null) {
    const api = options && typeof options.api === 'string' ? options.api : 'page';
    return ready.then(() => recalibrate(api, true)).then(() => new Promise((resolve, reject) => {
      insideRunCall = true;
      let started;
      try {
        // (NaN and Infinity would become null in JSON: send them as text, which C++ refuses by name.)
        const text = JSON.stringify(options || {}, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
        started = callC('ap_js_run', [text], 'json');
      } finally {
        insideRunCall = false;
      }
      if (!started.ticket) return reject(new Error(started.error || 'the playground refused the run'));
      const ticket = started.ticket;
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
    return ready.then(() => callC('ap_js_cancel'));
  }

  // ---- The learner's own Python: web/python-host.js (a sealed frame and its workers, loaded on first use),
  // one worker per program. Each request of the program is made by the page's C++ transport
  // (ap_js_program_request), timed on the page's clock and drawn like any run's; each answer goes back to
  // the program (Module.apProgramAnswer). ----
  const MAX_PROGRAM_OUTPUT = 1 << 20;  // characters of printed text a run keeps (the worker cuts at 1 MB too)
  const MAX_PROGRAM_SOURCE = 1 << 20;  // characters of a program
  let pythonHost = null;  // Promise of web/python-host.js's host
  let pythonHostNow = null;  // the host, once loaded
  let program = null;     // the program running: {source, output, cutBytes, cutLines, waiting, byId, session, ended}
  function loadPythonHost() {
    if (!pythonHost) {
      pythonHost = import(new URL('python-host.js', document.baseURI).href).then((m) => {
        pythonHostNow = m.createPythonHost(document.baseURI);
        return pythonHostNow;
      });
      pythonHost.catch(() => { pythonHost = null; });
    }
    return pythonHost;
  }
  // A spare Python starts (the editor opened, a program ended): the next Run finds it ready.
  function startPython() {
    loadPythonHost().then((h) => h.prepare()).catch(() => {});
  }
  function onPython(run, m) {
    if (run.ended) return;
    if (m.type === 'output') {
      if (run.output.length < MAX_PROGRAM_OUTPUT) run.output += m.text.slice(0, MAX_PROGRAM_OUTPUT - run.output.length);
      run.cutBytes = Math.max(run.cutBytes, m.cutBytes);
      run.cutLines = Math.max(run.cutLines, m.cutLines);
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
      endProgram(run, m.error, m.at - performance.timeOrigin);
    }
  }
  // A request of the program: made by the page's transport; `reply` gets its end ({outcome, status, body,
  // error}), or why it was refused.
  function programRequest(run, ask, reply) {
    const asked = { url: ask.url, line: ask.line, task: ask.task, timeoutMs: ask.timeoutMs, queuedMs: ask.queuedMs, blocking: ask.blocking };
    const r = callC('ap_js_program_request', [JSON.stringify(asked)], 'json');
    if (r.error !== undefined) return reply({ outcome: 'refused', error: r.error });
    run.byId.set(ask.id, r.index);
    run.waiting.set(r.index, reply);
  }
  // The program's end, however it came (its last line, an error, Stop, its worker gone): the run ends with
  // its text, and the worker goes; a spare one starts for the next program.
  function endProgram(run, error, atMs, stopped = false) {
    if (run.ended) return;
    run.ended = true;
    if (program === run) program = null;
    if (run.session) run.session.kill();
    callC('ap_js_program_end', [JSON.stringify({ source: run.source, output: run.output, error: error || null,
      atMs: Number.isFinite(atMs) ? atMs : null, stopped, outputCut: { bytes: run.cutBytes, lines: run.cutLines } })]);
    setTimeout(startPython, 300);
  }
  Module.apProgramAnswer = (index, json, body) => {
    const run = program;
    if (!run || !run.waiting.has(index)) return;
    const reply = run.waiting.get(index);
    run.waiting.delete(index);
    const a = JSON.parse(json);
    reply({ outcome: a.outcome, status: a.status, body, error: a.reason });
  };
  // Stop: the program ends now, at whatever point it is (Python still starting, computing, waiting), its
  // worker with it; its open requests are cancelled; its text and what it printed stay with the run.
  function stopProgram() {
    if (!program) return false;
    endProgram(program, null, NaN, true);
    return true;
  }

  Module.apStopProgram = () => stopProgram();  // (the page's Cancel, or another run, while a program runs)

  // ---- The program editor (web/editor.mjs, bundled as editor.js, loaded on first use): a DOM element over
  // the code panel, which tells where it is (apEditorRect); Run, Stop, Reset, Empty, Close. ----
  let editor = null;  // {box, status, run, stop, cm: the CodeMirror wrapper or null while it loads}
  function editorStatus(text, line = 0) {
    const s = editor.status;
    s.textContent = text;
    s.classList.toggle('error', line > 0);
    s.onclick = line > 0 ? () => editor.cm && editor.cm.goToLine(line) : null;
    s.title = line > 0 ? 'Go to the line' : '';
  }
  async function runFromEditor() {
    if (!editor || !editor.cm || editor.busy) return;
    editor.busy = true;
    editor.run.disabled = true;
    editor.stop.disabled = false;
    editor.cm.markLine(0);
    editorStatus(pythonHostNow && pythonHostNow.lastBoot ? 'Running...' : 'Starting Python (the first time takes a few seconds)...');
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
      if (editor) {
        editor.run.disabled = false;
        editor.stop.disabled = true;
      }
    }
  }
  function openEditor(program) {
    if (!editor) {
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
      editor = { box, status: box.querySelector('.editor-status'), counts: box.querySelector('.editor-counts'), run: button('run'),
        stop: button('stop'), cm: null, busy: false };
      editor.run.onclick = runFromEditor;
      editor.stop.onclick = () => { if (stopProgram()) editorStatus('Stopping...'); };
      button('reset').onclick = () => { editor.cm && editor.cm.setText(callC('ap_js_code_program', [], 'text')); };
      button('empty').onclick = () => { editor.cm && editor.cm.setText('import asyncio\nimport httpx\n\nBASE = "http://127.0.0.1:8000/inpage"\n\n\nasync def main():\n    async with httpx.AsyncClient() as client:\n        reply = await client.get(f"{BASE}/api/delay/300")\n        print(reply.status_code, reply.json())\n\n\nasyncio.run(main())\n'); };
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
    } else if (editor.cm) {
      editor.cm.setText(program);
      editor.cm.focus();
    } else {
      editor.pending = program;
    }
  }
  Module.apOpenEditor = (program) => openEditor(program);
  // The page's own Run button on a lesson's own program: the editor runs what it holds.
  Module.apRunEditor = () => {
    if (!editor) return;
    if (editor.cm) runFromEditor();
    else editor.runWhenReady = true;
  };
  Module.apEditorLine = (line) => { if (editor && editor.cm) editor.cm.litLine(line); };
  // Where the program's requests are, by line: shown only while the editor holds that program (the one
  // running, or the replayed run's), so no count lands on a line that did not make it.
  Module.apEditorCounts = (json) => {
    if (!editor || !editor.cm) return;
    const c = JSON.parse(json);
    const source = c.source || (program ? program.source : null);
    const lines = source !== null && source === editor.cm.text() ? c.lines : [];
    editor.cm.setCounts(lines);
    editor.counts.textContent = lines.map((l) => `line ${l.line}: ${l.text}`).join(' \u00b7 ');
  };
  Module.apEditorRect = (x, y, w, h) => {
    if (!editor) return;
    editor.box.hidden = w <= 0;
    Object.assign(editor.box.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
  };

  // Runs a program: {api: 'page' | 'server' | 'simulated', serverBase}. Resolves with run()'s result plus
  // stdout, error (null or {line, message, traceback}) and each request's line and task. The run begins at
  // once (Stop works from here, while Python starts too); its wall time begins when the program does.
  function runProgram(source, options = {}) {
    const api = options && typeof options.api === 'string' ? options.api : 'page';
    return ready.then(() => {
      if (typeof source !== 'string') throw new Error('the program must be a text');
      if (source.length > MAX_PROGRAM_SOURCE) throw new Error(`the program is ${sizeText(source.length)}; a program is at most 1 MB`);
      if (options && typeof options.serverBase === 'string') callC('ap_js_set_server_base', [options.serverBase]);
      stopProgram();  // one program at a time: a new one ends the one running (and its worker)
      const started = callC('ap_js_program_begin', [JSON.stringify({ api })], 'json');
      if (!started.ticket) throw new Error(started.error || 'the playground refused the program');
      const run = { source, output: '', cutBytes: 0, cutLines: 0, waiting: new Map(), byId: new Map(), session: null, ended: false };
      program = run;
      const result = new Promise((resolve) => pending.set(started.ticket, { resolve }));
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

  // Draws `count` frames although nothing changed; resolves to their mean main-thread time in ms.
  function drawFrames(count = 10) {
    const before = frameStats();
    callC('ap_js_force_frames', [count]);
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
    return callC('ap_js_heap_bytes');
  }

  function frameStats() {
    return callC('ap_js_frame_stats', [], 'json');
  }

  // Where the page last drew a named control ("run", "cancel", "path:sequential", "n", "api", ...), in CSS
  // pixels relative to the canvas; null when it is not on screen.
  function widgetRect(name) {
    const rect = callC('ap_js_widget_rect', [String(name)], 'json');
    if (!rect) return null;
    const c = Module.canvas.getBoundingClientRect();
    return { x: rect.x + c.left, y: rect.y + c.top, w: rect.w, h: rect.h, enabled: rect.enabled };
  }

  // Opens a lesson by id or by its 1-based number; resolves to the lesson's state.
  function lesson(which) {
    return ready.then(() => {
      if (callC('ap_js_select_lesson', [String(which)]) < 0) throw new Error(`no lesson ${which}`);
      return lessonState();
    });
  }

  function lessonState() {
    return callC('ap_js_lesson_state', [], 'json');
  }

  window.playground = {
    shownRun: () => callC('ap_js_shown_run', [], 'json'),
    openRequests: () => callC('ap_js_open_requests', [], 'json'),
    stepper: () => callC('ap_js_stepper_state', [], 'json'),
    scalingState: () => callC('ap_js_scaling_state', [], 'json'),
    layoutCheck: () => callC('ap_js_layout_check', [], 'json'),
    replayText: () => callC('ap_js_shown_run', [], 'json').replayText,
    loadRunText: (name, text) => loadRunText(String(name), String(text)),
    ready, run, runProgram, stopProgram, cancel, frameStats, drawFrames, heapBytes, widgetRect, lesson, lessonState,
    get apis() { return apis; },
    get firstFrameMs() { return firstFrameMs; },
    get lastLink() { return lastLink; },
    get lastEmbed() { return lastEmbed; },
    get lastCopy() { return lastCopy; },
    get editorText() { return editor && editor.cm ? editor.cm.text() : null; },  // the program in the editor, if open
    codeProgram: () => callC('ap_js_code_program', [], 'text'),  // the code panel's program, with the numbers
    get pythonBoot() { return pythonHostNow ? pythonHostNow.lastBoot : null; },
    get pythonWorkers() { return pythonHostNow ? pythonHostNow.workers : 0; },  // (tests: workers alive)
    get pythonSpareReady() { return !!pythonHostNow && pythonHostNow.spareReady; },  // (tools/bench: the next Run is warm)
    get editorCounts() { return editor && editor.cm ? editor.cm.counts() : []; },  // the per-line counts in the editor
    get editorLitLine() { return editor && editor.cm ? editor.cm.litLineNumber() : 0; },  // a clicked bar's line
    permalink,
  };
})();
