// What the browser costs, measured with plain fetch calls, the same requests a run makes: a round trip (the
// median of 5 zero-delay requests, one at a time), and how far apart the browser hands answers over when many
// come at once (a burst of zero-delay requests). The model adds both to every expectation, as named parts
// (src/core/scheduler.h), so a verdict holds on a slow machine as on a fast one.
import { callC } from './bridge.js';
import { state as started } from './start.js';

const PAGE_BURST = 24;
const SERVER_BURST = 6;  // within the browser's 6 connections per host, which the model plays itself
// Measured again before a run through a real API when the figures are older than FRESH_MS (a machine that got
// busy meanwhile is measured busy); the run waits. Not after a run: the claim beside Run would then move away
// from the expectation the finished run was judged by, and show two figures for one run.
const FRESH_MS = 2000;
const state = {
  measuredAt: {},                   // api -> when its figures were measured
  calibration: Promise.resolve(),   // the measurements in turn, one at a time
};

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

// The APIs just found (apis.js): what each one that answers costs, before any run is judged against it.
export async function measureFirst(apis) {
  const { page, server } = apis;
  if (page.ready) page.cost = await measureCost(page.base, PAGE_BURST).catch(() => undefined);
  if (server.ready) server.cost = await measureCost(server.base, SERVER_BURST).catch(() => undefined);
  state.measuredAt.page = state.measuredAt.server = performance.now();
  return apis;
}

export function recalibrate(api, onlyIfStale = false) {
  state.calibration = state.calibration.then(async () => {
    const apis = started.apis;
    const which = !apis ? null : api === 'page' ? apis.page : api === 'server' ? apis.server : null;
    // (Fresh figures are measured again when they make over a quarter of the claim: ap_js_costs_doubtful.)
    const fresh = performance.now() - (state.measuredAt[api] || 0) < FRESH_MS;
    if (!which || !which.ready || (onlyIfStale && fresh && !callC('ap_js_costs_doubtful'))) {
      callC('ap_js_calibrating', [0]);
      return;
    }
    callC('ap_js_calibrating', [1]);
    try {
      const cost = await measureCost(which.base, api === 'page' ? PAGE_BURST : SERVER_BURST);
      which.cost = cost;
      state.measuredAt[api] = performance.now();
      callC('ap_js_set_costs', [JSON.stringify({ [api]: cost })]);
    } catch (e) {
      // The last figures stay.
    } finally {
      callC('ap_js_calibrating', [0]);
    }
  });
  return state.calibration;
}

// The Run button was pressed for a real API: measure what it costs now, unless that was done a moment ago.
export function requestCosts(api) {
  recalibrate(api, true);
}
