// What the page keeps in localStorage across a reload: the learner's place and ✓ marks, and the history
// (the newest 300 runs, as summaries). Storage may be off (private mode, a sandboxed iframe) or full: the
// page still works, it just forgets.
import { callC } from './bridge.js';
import { MIRROR_ROWS, mirrorRow } from './a11y.js';

const PROGRESS_KEY = 'asyncplay.progress';
const HISTORY_KEY = 'asyncplay.history';
const state = { historySave: null };  // the timer of the history's next save

// The learner's place and progress from the last visit (C++ reads it strictly: what it cannot read is
// forgotten); ?lesson=<id or number> wins over the place.
export function restoreProgress() {
  let saved = null;
  try {
    saved = localStorage.getItem(PROGRESS_KEY);
  } catch (e) {
    saved = null;
  }
  if (saved) callC('ap_js_restore_progress', [saved]);
}

export function saveProgress(json) {
  try {
    localStorage.setItem(PROGRESS_KEY, json);
  } catch (e) {
    // (Off: forgotten.)
  }
}

// The history changed: keep it (a moment later, once, however many runs end meanwhile).
export function historyChanged() {
  if (state.historySave) return;
  state.historySave = setTimeout(saveHistory, 1000);
}

function saveHistory() {
  state.historySave = null;
  try {
    localStorage.setItem(HISTORY_KEY, callC('ap_js_history_json', [], 'text'));
  } catch (e) {
    // Full or off: the history lasts this visit only.
  }
}

// The kept history back into C++, and into the screen reader's table.
export function restoreHistory() {
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

// A save still waiting when the page goes is done at once.
export function install() {
  window.addEventListener('pagehide', () => {
    if (state.historySave) {
      clearTimeout(state.historySave);
      saveHistory();
    }
  });
}
