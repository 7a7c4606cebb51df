// The page's half of src/web/bridge.cpp: the Emscripten Module object, callC for every call into C++, and the
// one table of the calls C++ makes into the page (Module.apX, from the EM_JS functions of src/web/*.cpp).
// tests/surface.test.mjs holds both directions to the C++ source: every name called exists, every
// callback C++ calls is in the table below and nothing else is.

// Emscripten's index.js reads this object when it starts (playground.js starts it once `connect` is done).
export const Module = {
  canvas: document.getElementById('canvas'),
  print: (text) => console.log(text),
  printErr: (text) => console.warn(text),
};
window.Module = Module;

// Calls an exported C++ function (src/web/bridge.cpp) with text arguments, copied through the heap (never
// the stack, which a text of megabytes would overflow), and returns its number, or its text when
// `returns` is 'text', or its JSON parsed when 'json'.
export function callC(name, args = [], returns = 'number') {
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

// Puts every answer on Module: `on` holds the page's modules by name (playground.js passes them), and
// `on.page` the few answers that span several modules.
export function connect(on) {
  // Emscripten's own hooks.
  Module.onAbort = on.start.stopped;
  Module.onRuntimeInitialized = on.page.runtimeInitialized;
  // The calls C++ makes, with what it passes.
  const callbacks = {
    apFirstFrame: on.page.firstFrame,             // () once, when the first frame is drawn: the page starts
    apRunEnded: on.page.runEnded,                 // (ticket, json) a run ended, however it ended
    apProgress: on.page.progressChanged,          // (json, changed) the place or a lesson's progress changed
    apOpenProgress: on.files.openProgress,        // () Load progress...
    apRequestCosts: on.page.requestCosts,         // (api) Run was pressed for a real API: measure what it costs
    apRunStarted: on.python.runStarted,           // (program) a run began: a Python starting in the background waits
    apHistoryChanged: on.storage.historyChanged,  // () a run joined or left the history
    apCopyLink: on.links.copyLink,                // (query) Copy link
    apCopyEmbed: on.links.copyEmbed,              // (query) Copy embed code
    apCopyText: on.links.copyProgramText,         // (what, text) the code panel's program, to the clipboard
    apOpenTab: on.links.openTab,                  // (query) the playground in a tab of its own
    apSaveFile: on.files.saveFile,                // (name, mime, text) a run file, the history as CSV
    apOpenFile: on.files.openFile,                // () Load run...
    apSavePng: on.files.savePng,                  // (x, y, w, h) the results panel, right after the frame drew it
    apProgramAnswer: on.python.programAnswer,     // (index, json, body) a program's request has its answer
    apStopProgram: on.python.stopProgram,         // () the page's Cancel, or another run, while a program runs
    apOpenEditor: on.editor.openEditor,           // (program) Edit and run
    apRunEditor: on.editor.runEditor,             // () the lesson's Run on the lesson's own program
    apEditorLine: on.editor.lightLine,            // (line) a clicked bar's line
    apEditorCounts: on.editor.showCounts,         // (json) the program's requests, by line
    apEditorRect: on.editor.place,                // (x, y, w, h) where the code panel is; w = 0 hides the editor
  };
  for (const [name, answer] of Object.entries(callbacks)) {
    if (typeof answer !== 'function') throw new Error(`bridge: nothing answers Module.${name}`);
    Module[name] = answer;
  }
}

// Starts the C++ program: Emscripten's script, which the shell holds inert in a <template> (a module script
// runs after the page is parsed, and index.js must find Module ready).
export function loadProgram() {
  const inert = document.getElementById('emscripten-script').content.querySelector('script');
  const script = document.createElement('script');
  if (inert.hasAttribute('src')) script.src = inert.getAttribute('src');
  else script.textContent = inert.textContent;
  document.body.appendChild(script);
}
