// Runs started from JavaScript (window.playground.run, a host page's run command): each is a ticket C++ hands
// out, and its promise resolves when C++ says the run ended, however it ended. Also the page-wide
// 'playground:run-ended' event. The settings are checked and clamped by C++ (src/core/fields.h), which
// rejects unknown names and values that are not numbers.
import { callC } from './bridge.js';
import { recalibrate } from './costs.js';
import { ready } from './start.js';

const state = {
  pending: new Map(),     // ticket -> {resolve}
  endedEarly: new Map(),  // ticket -> result, for runs that ended inside ap_js_run (0 ms, simulated)
  insideRunCall: false,
};

// Starts a run with these options (the page's defaults for the rest); `onTicket` hears its ticket before it
// can end.
export function run(options = {}, onTicket = null) {
  const api = options && typeof options.api === 'string' ? options.api : 'page';
  return ready.then(() => recalibrate(api, true)).then(() => new Promise((resolve, reject) => {
    state.insideRunCall = true;
    let started;
    try {
      // (NaN and Infinity would become null in JSON: send them as text, which C++ refuses by name.)
      const text = JSON.stringify(options || {}, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
      started = callC('ap_js_run', [text], 'json');
    } finally {
      state.insideRunCall = false;
    }
    if (!started.ticket) return reject(new Error(started.error || 'the playground refused the run'));
    const ticket = started.ticket;
    if (onTicket) onTicket(ticket);
    if (state.endedEarly.has(ticket)) {
      resolve(state.endedEarly.get(ticket));
      state.endedEarly.delete(ticket);
    } else {
      state.pending.set(ticket, { resolve });
    }
  }));
}

export function cancel() {
  return ready.then(() => callC('ap_js_cancel'));
}

// The promise of a run begun another way (a program's run: python.js).
export function whenEnded(ticket) {
  return new Promise((resolve) => state.pending.set(ticket, { resolve }));
}

// C++ said the run ended (Module.apRunEnded, after the page's other listeners): the event, and its promise.
export function ended(ticket, result) {
  window.dispatchEvent(new CustomEvent('playground:run-ended', { detail: result }));
  const p = state.pending.get(ticket);
  if (p) {
    state.pending.delete(ticket);
    p.resolve(result);
  } else if (state.insideRunCall) {
    state.endedEarly.set(ticket, result);
  }
}
