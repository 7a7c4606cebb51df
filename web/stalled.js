// Real sockets: the browser's Resource Timing says how long each request of a dev-server run stalled,
// waiting for one of the browser's connections, before it went out. Matched to the run's requests by their
// ?i= and &attempt= parameters, and handed to C++, which shows the stalled part of each bar.
import { callC } from './bridge.js';

export function install() {
  if (performance.setResourceTimingBufferSize) performance.setResourceTimingBufferSize(50000);
}

// A run ended (run()'s result). Entries come in once each response is complete: look a moment later.
// Other runs' entries go.
export function afterRun(result) {
  if (result.api === 'server') setTimeout(() => splitStalled(result), 100);
  else if (performance.clearResourceTimings) performance.clearResourceTimings();
}

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
