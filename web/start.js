// The page's start: the status line, `ready` (resolved once the first frame is drawn and the APIs are
// known), and a sentence instead of a frozen page when the program cannot start or stops.

const status = document.getElementById('status');
export const state = {
  firstFrame: false,   // true once the first frame is drawn and the page has applied the link, progress, ...
  firstFrameMs: null,  // when C++ drew it, since navigation started (tools/bench)
  apis: null,          // {page, server}: which APIs answer, and what they cost
  resolveReady: null,
};
export const ready = new Promise((resolve) => { state.resolveReady = resolve; });

export function showError(text) {
  status.textContent = text;
  status.className = 'error';
}

// Emscripten's onAbort.
export function stopped(what) {
  showError('The playground stopped: ' + what + '\nReload the page to start again.');
}

export function firstFrameDrawn() {
  state.firstFrameMs = performance.now();
}

export function started() {
  state.firstFrame = true;
  settle();
}

export function setApis(apis) {
  state.apis = apis;
}

export function settle() {
  if (!state.firstFrame || !state.apis) return;
  status.className = 'hidden';
  state.resolveReady({ apis: state.apis });
}

// An error before the first frame means the page never started; a WebAssembly trap after it means the
// program is dead (its memory may be broken): either way, say so instead of leaving a frozen page.
export function install() {
  window.addEventListener('error', (e) => {
    if (!state.firstFrame) showError('The playground could not start: ' + e.message);
    else if (e.error instanceof WebAssembly.RuntimeError) showError('The playground stopped (' + e.message + '). Reload the page to start again.');
  });
  window.addEventListener('unhandledrejection', (e) => {
    if (state.firstFrame && e.reason instanceof WebAssembly.RuntimeError) showError('The playground stopped (' + e.reason.message + '). Reload the page to start again.');
  });
}
