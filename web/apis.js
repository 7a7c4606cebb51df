// Which latency APIs answer this page: the in-page one (web/sw.js, registered here and checked with a first
// answer) and the dev server (probed on the page's own origin). Each says in words why it is not there.

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
    if (body && body.delay_ms === 0) return { ready: true, base, note: 'reachable', origins: await siblingOrigins(base) };
    return { ready: false, base, note: 'the page\'s host does not serve /api/delay (a static host?)' };
  } catch (e) {
    return { ready: false, base, note: e.message };
  }
}

// The dev server's sibling ports (tools/devserver.mjs, SIBLING_PORTS): the same API on the same host, each port
// the browser's own 6 connections. A learner's program spreads its requests over them, as CPython's clients
// are not capped. [] when the server lists none.
async function siblingOrigins(base) {
  try {
    const reply = await withTimeout(fetch(base + '/api/origins', { cache: 'no-store' }), 2000, 'the dev server\'s ports');
    const { ports } = reply.ok ? await reply.json() : { ports: [] };
    const host = new URL(base);
    return (Array.isArray(ports) ? ports : []).filter((p) => Number.isInteger(p) && p > 0 && p < 65536).slice(0, 8)
      .map((p) => `${host.protocol}//${host.hostname}:${p}`);
  } catch (e) {
    return [];
  }
}

// {page, server}, each {ready, base, note, blocked?}; the server's `origins`: its sibling ports.
export async function findApis() {
  // The in-page API first: once the service worker controls the page, the server probe passes through it.
  const page = await startInPageApi();
  const server = await probeServer();
  return { page, server };
}
