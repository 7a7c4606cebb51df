// Real sockets: the browser's Resource Timing says how long each request of a dev-server run stalled,
// waiting for one of the browser's connections, before it went out. Matched to the run's requests by the id
// the page's transport puts in each URL's fragment (#ap=<id>: src/web/fetch_transport.cpp; never sent, so
// a learner's URL goes out as written), and handed to C++, which shows the stalled part of each bar.
import { callC } from './bridge.js';

const ID_GENERATIONS = (1 << 14) - 1;

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
    if (e.startTime < result.startAbsMs - 1) continue;
    const tag = /#ap=(\d+)$/.exec(e.name);
    if (!tag) continue;
    // The id as C++ makes it (transport.h, make_request_id): generation, attempt, index.
    const id = Number(tag[1]);
    if ((id >>> 18) !== (result.generation & ID_GENERATIONS)) continue;
    const attempt = (id >>> 14) & 15;
    const i = id & 16383;
    // requestStart is 0 when the server sent no Timing-Allow-Origin (another origin without it).
    if (!(e.requestStart > 0)) continue;
    rows.push([i, attempt, e.requestStart, e.responseStart || 0, e.responseEnd || 0]);
  }
  performance.clearResourceTimings();
  if (rows.length) callC('ap_js_resource_timing', [JSON.stringify({ generation: result.generation, attempts: rows })]);
}
