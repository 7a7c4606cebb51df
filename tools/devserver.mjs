// The dev server: the built page plus the latency API over real sockets, on Node's own HTTP stack.
//
//   GET /api/delay/<ms>[?status=<code>]  answers {"delay_ms":<ms>,"status":<code>} after <ms> (capped at 30 s)
//   GET /<file>                          a file of the web build (never outside it)
//
// Loopback by default. Every delayed answer is a timer, so thousands wait together without a thread each.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const MAX_DELAY_MS = 30000;

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

function handleDelay(req, res, url, msText, maxDelayMs) {
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
  const timer = setTimeout(() => {
    if (res.destroyed) return;
    sendJson(res, status, { delay_ms: delay, status }, asked > delay ? { 'X-Delay-Capped': String(asked) } : {});
  }, delay);
  res.on('close', () => clearTimeout(timer));  // the browser aborted: free the timer at once
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

function handleStatic(req, res, root, rawPath) {
  const r = resolveStatic(root, rawPath === '/' ? '/index.html' : rawPath);
  if (r.error) {
    res.writeHead(r.error, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end(`${r.error}: ${r.why}\n`);
  }
  let file = r.file;
  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) file = path.join(file, 'index.html');
    fs.stat(file, (err2, st2) => {
      if (err2 || !st2.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        return res.end(`404: ${rawPath} is not part of the web build\n`);
      }
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
        'Content-Length': st2.size,
        'Cache-Control': 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).pipe(res);
    });
  });
}

export function createServer({ root, maxDelayMs = MAX_DELAY_MS }) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    // Parse only the path and query; the request line itself was parsed by Node.
    const url = new URL(req.url, 'http://placeholder');
    const rawPath = req.url.split('?')[0];
    const api = /^\/api\/delay\/([^/]*)$/.exec(rawPath);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...API_HEADERS, 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Allow-Headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD, OPTIONS' });
      return res.end();
    }
    if (api) return handleDelay(req, res, url, api[1], maxDelayMs);
    if (rawPath.startsWith('/api/')) return sendJson(res, 404, { error: 'the API has one route: /api/delay/<ms>[?status=<code>]' });
    return handleStatic(req, res, root, rawPath);
  });
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
  server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => {
    const { port } = server.address();
    const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    console.log(`Serving ${path.resolve(opts.root)}`);
    console.log(`Open http://${shown}:${port}/   (latency API at http://${shown}:${port}/api/delay/<ms>; Ctrl-C stops)`);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
}
