// The in-page latency API: this service worker answers GET <scope>inpage/api/delay/<ms>[?status=<code>]
// itself, after <ms>, with {"delay_ms":<ms>,"status":<code>}. No server is involved, so the page works
// from any static host and is not held to the browser's 6-connections-per-host cap.
// Every other request goes to the network untouched.

const MAX_DELAY_MS = 30000;
const API_PREFIX = new URL('inpage/api/delay/', self.registration.scope).pathname;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(API_PREFIX)) event.respondWith(answer(url, event.request));
});

// FNV-1a, 32 bits, over the UTF-8 bytes: the same function as src/core/run.cpp and tools/devserver.mjs.
function fnv1a(text) {
  let h = 2166136261;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

function json(status, body, extra = {}) {
  const noBody = status === 204 || status === 205 || status === 304;
  return new Response(noBody ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Served-By': 'playground-sw', ...extra },
  });
}

function answer(url, request) {
  const msText = url.pathname.slice(API_PREFIX.length);
  if (!/^\d{1,9}$/.test(msText)) {
    return Promise.resolve(json(400, { error: `delay must be a whole number of milliseconds, got "${msText}"` }));
  }
  let status = 200;
  const statusText = url.searchParams.get('status');
  if (statusText !== null) {
    if (!/^\d{3}$/.test(statusText) || +statusText < 200 || +statusText > 599) {
      return Promise.resolve(json(400, { error: `status must be an HTTP status from 200 to 599, got "${statusText}"` }));
    }
    status = +statusText;
  }
  const failText = url.searchParams.get('fail');
  if (failText !== null) {
    // ?fail=<percent>&key=<text>: answer 503 when fnv1a(key) % 100 < percent (as the dev server does).
    if (!/^\d{1,3}$/.test(failText) || +failText > 100) {
      return Promise.resolve(json(400, { error: `fail must be a percentage from 0 to 100, got "${failText}"` }));
    }
    if (fnv1a(url.searchParams.get('key') || '') % 100 < +failText) status = 503;
  }
  const delay = Math.min(+msText, MAX_DELAY_MS);
  const capped = +msText > delay ? { 'X-Delay-Capped': msText } : {};
  // The headers go out at once and the body after the delay, so the request ends exactly when the body
  // does. Answering with the whole Response after the delay costs the browser a response set-up per
  // request at the very moment they all end (50 at once: ~80 ms of spread on a 2-core machine).
  const body = new TextEncoder().encode(JSON.stringify({ delay_ms: delay, status }));
  let timer;
  const stream = new ReadableStream({
    start(controller) {
      timer = setTimeout(() => { controller.enqueue(body); controller.close(); }, delay);
    },
    cancel() { clearTimeout(timer); },
  });
  if (request.signal) request.signal.addEventListener('abort', () => clearTimeout(timer));
  const noBody = status === 204 || status === 205 || status === 304;
  return Promise.resolve(new Response(noBody ? null : stream, {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Served-By': 'playground-sw', ...capped },
  }));
}
