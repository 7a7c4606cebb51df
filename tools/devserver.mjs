// The dev server: the built page plus the latency API over real sockets, on Node's own HTTP stack.
//
//   GET /api/delay/<ms>[?status=<code>]  answers {"delay_ms":<ms>,"status":<code>} after <ms> (capped at 30 s)
//   GET /<file>                          one of the page's own files (PAGE_FILES), nothing else of the build
//
// Loopback by default. Every delayed answer is a timer, so thousands wait together without a thread each;
// at most MAX_HELD wait at once (then 503), so held requests never take every file handle. A malformed
// request gets a 400 and no request can stop the server.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const MAX_DELAY_MS = 30000;
// Delayed answers held at once; beyond, a 503 says so (and the connection closes). Well below the usual
// 1,024 file handles of a process.
export const MAX_HELD = 900;
// Connections beyond the held ones: the page's files, the API's quick answers and refusals, idle keep-alives.
// tools/serve and tools/test raise the process's file limit to what the system allows for them.
export const MAX_OTHER_SOCKETS = 3000;
// The files of the web build the page needs; the build folder also holds CMake's files (absolute paths,
// flags), which are nobody's business.
export const PAGE_FILES = new Set(['index.html', 'index.js', 'index.wasm', 'sw.js', 'style.css', 'host-example.html',
  // the page's JavaScript: playground.js and the modules it imports (web/; tests/surface.test.mjs checks this list)
  'playground.js', 'a11y.js', 'apis.js', 'bridge.js', 'costs.js', 'editor-glue.js', 'files.js', 'host-api.js', 'input.js', 'lessons.js',
  'limits.js', 'links.js', 'python.js', 'run.js', 'stalled.js', 'start.js', 'storage.js', 'test-hooks.js', 'theme.js',
  // the learner's own Python, loaded when the editor first opens (cmake/web.cmake)
  'python-worker.js', 'python-host.js', 'editor.js', 'python/pyodide.mjs', 'python/pyodide.asm.mjs', 'python/pyodide.asm.wasm', 'python/python_stdlib.zip',
  'python/pyodide-lock.json', 'python/site.zip']);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.py': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
};

const API_HEADERS = {
  'Cache-Control': 'no-store',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'X-Delay-Capped',
  'Timing-Allow-Origin': '*',
};

function sendJson(res, status, body, extra = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

// FNV-1a, 32 bits: the page's model (src/core/run.cpp, attempt_fails) and the in-page API (web/sw.js)
// decide injected failures with the same hash, so a run fails the same attempts through every API.
export function fnv1a(text) {
  let h = 2166136261;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

function handleDelay(req, res, url, msText, maxDelayMs, held) {
  if (!/^\d{1,9}$/.test(msText)) {
    return sendJson(res, 400, { error: `delay must be a whole number of milliseconds, got "${msText}"` });
  }
  let status = 200;
  const statusText = url.searchParams.get('status');
  if (statusText !== null) {
    if (!/^\d{3}$/.test(statusText) || +statusText < 200 || +statusText > 599) {
      return sendJson(res, 400, { error: `status must be an HTTP status from 200 to 599, got "${statusText}"` });
    }
    status = +statusText;
  }
  const failText = url.searchParams.get('fail');
  if (failText !== null) {
    // ?fail=<percent>&key=<text>: answer 503 when fnv1a(key) % 100 < percent.
    if (!/^\d{1,3}$/.test(failText) || +failText > 100) {
      return sendJson(res, 400, { error: `fail must be a percentage from 0 to 100, got "${failText}"` });
    }
    if (fnv1a(url.searchParams.get('key') || '') % 100 < +failText) status = 503;
  }
  const asked = +msText;
  const delay = Math.min(asked, maxDelayMs);
  if (held.count >= held.max) {
    // (The connection closes with the refusal: refused callers never hold the sockets the page needs.)
    return sendJson(res, 503, { error: `${held.max} requests are already waiting here: try again in a moment` },
      { 'Retry-After': '1', Connection: 'close' });
  }
  held.count++;
  let released = false;
  const release = () => { if (!released) { released = true; held.count--; } };
  const timer = setTimeout(() => {
    release();
    if (res.destroyed) return;
    sendJson(res, status, { delay_ms: delay, status }, asked > delay ? { 'X-Delay-Capped': String(asked) } : {});
  }, delay);
  res.on('close', () => { clearTimeout(timer); release(); });  // the browser aborted: free the timer at once
}

// Maps a request path onto a file under root, or explains why not.
export function resolveStatic(root, rawPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { error: 400, why: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { error: 400, why: 'NUL in path' };
  const segments = decoded.split(/[\\/]+/);
  if (segments.some((s) => s === '..')) return { error: 403, why: 'paths with ".." are refused' };
  const file = path.resolve(root, '.' + path.posix.normalize('/' + segments.filter(Boolean).join('/')));
  if (file !== root && !file.startsWith(root + path.sep)) return { error: 403, why: 'outside the served folder' };
  return { file };
}

function sendText(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${status}: ${text}\n`);
}

function handleStatic(req, res, root, rawPath) {
  const r = resolveStatic(root, rawPath === '/' ? '/index.html' : rawPath);
  if (r.error) return sendText(res, r.error, r.why);
  const relative = path.relative(root, r.file).split(path.sep).join('/');
  if (!PAGE_FILES.has(relative)) return sendText(res, 404, `${rawPath} is not one of the page's files`);
  serveFile(req, res, root, r.file, rawPath);
}

// A file is opened first, without following a link at its last step, and then checked: what was opened must
// be a plain file, and the same file (device and inode) as the path's real place, which must lie inside the
// real root. A link swapped in at any step, before or after the open, is refused, never followed out.
function serveFile(req, res, root, file, rawPath) {
  const missing = () => sendText(res, 404, `${rawPath} is not one of the page's files`);
  fs.open(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0), (errOpen, fd) => {
    if (errOpen) return errOpen.code === 'ELOOP' ? sendText(res, 403, 'outside the served folder') : missing();
    const refuse = (send) => fs.close(fd, () => send());
    fs.fstat(fd, (errStat, st) => {
      if (errStat || !st.isFile()) return refuse(missing);
      fs.realpath(file, (errReal, real) => fs.realpath(root, (errRoot, realRoot) => {
        if (errReal || errRoot || !(real === realRoot || real.startsWith(realRoot + path.sep))) return refuse(() => sendText(res, 403, 'outside the served folder'));
        fs.stat(real, (errAgain, again) => {
          if (errAgain || again.ino !== st.ino || again.dev !== st.dev) return refuse(() => sendText(res, 403, 'outside the served folder'));
          sendOpened(req, res, fd, st, file);
        });
      }));
    });
  });
}

function sendOpened(req, res, fd, st, file) {
  // Checked again on every use (a rebuilt page is never stale), but an unchanged file is not sent again:
  // Python's 14 MB come from the browser's cache once it has them.
  const modified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
  const since = Date.parse(req.headers['if-modified-since'] || '');
  if (Number.isFinite(since) && since >= modified.getTime()) {
    fs.close(fd, () => {});
    res.writeHead(304, { 'Cache-Control': 'no-cache', 'Last-Modified': modified.toUTCString() });
    return res.end();
  }
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': 'no-cache',
    'Last-Modified': modified.toUTCString(),
    ...ISOLATION_HEADERS,
  });
  if (req.method === 'HEAD') {
    fs.close(fd, () => {});
    return res.end();
  }
  const stream = fs.createReadStream(null, { fd, start: 0, end: Math.max(0, st.size - 1), autoClose: true });
  stream.on('error', () => res.destroy());  // (a file that vanished: the connection ends, the server goes on)
  res.on('close', () => stream.destroy());
  if (st.size === 0) {
    stream.destroy();
    return res.end();
  }
  stream.pipe(res);
}

// The page is cross-origin isolated when it is the top page: its clock (performance.now) then has the
// browser's finest resolution, 5 us rather than 100 us. Nothing the page loads comes from another origin;
// another site may still embed it (CORP cross-origin), and the page then works as on any host.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// The browser opens at most 6 connections to one host and port. A learner's program is compared with CPython,
// whose clients have no such cap, so the API also answers on a few more ports of the same host (listenSiblings),
// each the browser's own 6 connections; /api/origins lists them, and the page spreads a program's requests over
// them. The page's built-in paths keep the one port: their model plays the cap.
export const SIBLING_PORTS = 3;

export function createServer({ root, maxDelayMs = MAX_DELAY_MS, maxHeld = MAX_HELD }) {
  root = path.resolve(root);
  const held = { count: 0, max: maxHeld };
  const siblings = [];  // the ports of listenSiblings' servers
  const handle = (req, res) => {
    // The request line was parsed by Node; the path must be an absolute path of this server ("//x" would
    // name another host, "/\\x" too in a browser's reading).
    const rawPath = req.url.split('?')[0];
    if (!rawPath.startsWith('/') || rawPath.startsWith('//') || rawPath.startsWith('/\\')) {
      return sendText(res, 400, 'a path must start with one /');
    }
    let url;
    try {
      url = new URL(req.url, 'http://placeholder');
    } catch {
      return sendText(res, 400, 'the request path is not a URL path');
    }
    const api = /^\/api\/delay\/([^/]*)$/.exec(rawPath);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...API_HEADERS, 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Allow-Headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD, OPTIONS' });
      return res.end();
    }
    if (api) return handleDelay(req, res, url, api[1], maxDelayMs, held);
    if (rawPath === '/api/origins') return sendJson(res, 200, { ports: siblings.map((s) => s.address().port) });
    if (rawPath.startsWith('/api/')) return sendJson(res, 404, { error: 'the API has one route: /api/delay/<ms>[?status=<code>]' });
    return handleStatic(req, res, root, rawPath);
  };
  // (Links carry their settings in the query; one longer than a header holds by default is still the page's
  // to read and explain: the page, not the server, says a link is too long.)
  const make = () => configure(http.createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      // A bug here must not stop the server for everyone: this request fails, the next is served.
      if (!res.headersSent) sendText(res, 500, `the dev server failed on this request (${e.message})`);
      else res.destroy();
    }
  }), held, maxHeld, maxDelayMs);
  const server = make();
  // The sibling ports (see SIBLING_PORTS) on `host`; they close with the server. Resolves to their ports.
  server.listenSiblings = (host, count = SIBLING_PORTS) => Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const sibling = make();
    sibling.once('error', reject);
    sibling.listen({ port: 0, host, backlog: 4096 }, () => {
      siblings.push(sibling);
      resolve(sibling.address().port);
    });
  })));
  const closeMain = server.close.bind(server);
  server.close = (callback) => {
    for (const s of siblings.splice(0)) {
      s.close();
      s.closeAllConnections?.();
    }
    return closeMain(callback);
  };
  return server;
}

function configure(server, held, maxHeld, maxDelayMs) {
  // What Node itself does, without ever throwing: answer only on a connection that has not answered anything
  // yet. On a kept-alive connection that already served a response, an error (an idle timeout racing the
  // browser's next request) must close it unanswered, so that the browser sends that request again on a new
  // one; a 400 written there would be read as the answer to the page's next request.
  server.on('clientError', (err, socket) => {
    if (socket.writable && socket.bytesWritten === 0) {
      const status = { HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large', ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout' }[err.code]
        || '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });
  server.held = held;
  // The API holds at most maxHeld requests and refuses more (closing their connections), so the page's own
  // files always find a socket: room is left for far more connections than the API holds.
  server.maxConnections = maxHeld + MAX_OTHER_SOCKETS;
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10000;
  server.requestTimeout = maxDelayMs + 10000;
  return server;
}


function parseArgs(argv) {
  const opts = { port: 8000, host: '127.0.0.1', root: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') opts.port = Number(next());
    else if (a === '--host') opts.host = next();
    else if (a === '--root') opts.root = next();
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be 0..65535');
  return opts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve: ${e.message}\nusage: tools/serve [--port N] [--host H] [--root DIR]`);
    process.exit(2);
  }
  if (opts.help) {
    console.log('usage: tools/serve [--port N] [--host H] [--root DIR]');
    process.exit(0);
  }
  if (!opts.root || !fs.existsSync(path.join(opts.root, 'index.html'))) {
    console.error(`serve: no web build in ${opts.root}: run tools/play (or cmake --build --preset web-release) first`);
    process.exit(1);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    console.warn(`serve: listening on ${opts.host}, not loopback: anyone who can reach it can use the API`);
  }
  const server = createServer({ root: opts.root });
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `serve: port ${opts.port} is in use; try --port ${opts.port + 1}` : `serve: ${e.message}`);
    process.exit(1);
  });
  server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, async () => {
    const { port } = server.address();
    const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const ports = await server.listenSiblings(opts.host).catch(() => []);
    console.log(`Serving ${path.resolve(opts.root)}`);
    console.log(`Open http://${shown}:${port}/   (latency API at http://${shown}:${port}/api/delay/<ms>; Ctrl-C stops)`);
    if (ports.length) console.log(`(the API also answers on ports ${ports.join(', ')}: a learner's program spreads its requests over them)`);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
}
