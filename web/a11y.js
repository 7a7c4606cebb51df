// The screen-reader mirror of the canvas: a live region that says the lesson and each run in one sentence,
// and the history as a table a reader can walk (the shell's #live and #history).
import { callC } from './bridge.js';
import { lessonState } from './lessons.js';

const live = document.getElementById('live');
const historyBody = document.querySelector('#history tbody');
export const MIRROR_ROWS = 200;  // the table keeps the newest runs
const state = { runNumber: 0 };

export function announce(text) {
  live.textContent = text;
}

export function announceLesson() {
  const s = lessonState();
  if (s) announce(`Lesson ${s.index + 1} of ${s.count}: ${s.title}. Claim: ${s.claim}.`);
}

// A run that ended: run()'s result.
export function mirrorRun(r) {
  announce(r.summary);
  mirrorRow(r.number || ++state.runNumber, r);
}

export function mirrorRow(number, r) {
  const row = document.createElement('tr');
  const ms = (v) => callC('ap_js_duration_text', [Number(v) || 0], 'text');
  state.runNumber = Math.max(state.runNumber, number);
  // A learner's program has no latency of its own and no model: those cells say so, not a made-up figure.
  const program = r.path === 'program';
  for (const cell of [number, program ? 'your program' : r.path, r.n, program ? '' : `${r.latencyMs} ms`, r.api,
    r.state === 'cancelled' ? 'cancelled' : ms(r.wallMs), program ? 'no model' : ms(r.expectedMs)]) {
    const td = document.createElement('td');
    td.textContent = String(cell);
    row.appendChild(td);
  }
  historyBody.appendChild(row);
  while (historyBody.rows.length > MIRROR_ROWS) historyBody.deleteRow(0);
}
