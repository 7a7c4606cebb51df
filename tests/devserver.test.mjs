// The dev server (tools/devserver.mjs) over real loopback sockets: delays overlap instead of queuing,
// errors and caps are answered as documented, and no path escapes the served folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { createServer, resolveStatic, fnv1a } from '../tools/devserver.mjs';

let server, port, root, outside;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

before(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devserver-test-'));
  root = path.join(tmp, 'web');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(root, 'index.wasm'), Buffer.from([0, 97, 115, 109]));
  outside = path.join(tmp, 'secret.txt');
  fs.writeFileSync(outside, 'must not be served');
  // What a build folder also holds, and a symlink out of it under a page file's name.
  fs.writeFileSync(path.join(root, 'CMakeCache.txt'), 'CMAKE_HOME_DIRECTORY=/home/someone/secret-path');
  fs.writeFileSync(path.join(root, 'build.ninja'), 'rule cc');
  fs.symlinkSync(outside, path.join(root, 'style.css'));
  server = createServer({ root, maxDelayMs: 300 });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  port = server.address().port;
});

after(() => new Promise((resolve) => server.close(resolve)));

// A raw GET whose path is sent exactly as given (no URL normalisation on the client side), to the test's
// server or to another one on `to`.
function get(rawPath, to = port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: to, path: rawPath, method: 'GET', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the API answers on its sibling ports too, which /api/origins lists (none before they listen)', async () => {
  assert.deepEqual(JSON.parse((await get('/api/origins')).body), { ports: [] });
  const ports = await server.listenSiblings('127.0.0.1');
  assert.equal(ports.length, 3);
  assert.deepEqual(JSON.parse((await get('/api/origins')).body), { ports });
  for (const p of ports) {
    const r = await get('/api/delay/10?status=201', p);
    assert.equal(r.status, 201);
    assert.equal(r.headers['access-control-allow-origin'], '*', 'another origin of the page: CORS');
    assert.equal(r.headers['timing-allow-origin'], '*', 'and Resource Timing');
  }
});

test('a delayed answer takes its delay and says so', async () => {
  const t0 = performance.now();
  const r = await get('/api/delay/150');
  const took = performance.now() - t0;
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { delay_ms: 150, status: 200 });
  assert.ok(took >= 145 && took < 1000, `took ${took} ms`);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers['timing-allow-origin'], '*');
});

test('200 concurrent 200 ms requests overlap instead of queuing', async () => {
  const t0 = performance.now();
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => get(`/api/delay/200?i=${i}`)));
  const wall = performance.now() - t0;
  assert.ok(replies.every((r) => r.status === 200));
  // One after another this would be 200 x 200 ms = 40 s; overlapped it is one delay plus overhead.
  assert.ok(wall < 0.1 * 200 * 200, `200 concurrent requests took ${wall.toFixed(0)} ms`);
});

test('900 concurrent delayed requests (the most it holds at once) are all answered together', async () => {
  const t0 = performance.now();
  const replies = await Promise.all(Array.from({ length: 900 }, (_, i) => get(`/api/delay/250?i=${i}`)));
  const wall = performance.now() - t0;
  assert.equal(replies.filter((r) => r.status === 200).length, 900);
  assert.ok(wall < 0.05 * 900 * 250, `900 concurrent requests took ${wall.toFixed(0)} ms`);
});

test('?status= answers that status, after the delay', async () => {
  const r = await get('/api/delay/10?status=503');
  assert.equal(r.status, 503);
  assert.deepEqual(JSON.parse(r.body), { delay_ms: 10, status: 503 });
});

test('?fail=&key= fails the same attempts as the page\'s model', async () => {
  assert.equal(fnv1a('0-0'), 1468200994);  // the value tests/core_test.cpp pins for the C++ side
  const keys = Array.from({ length: 40 }, (_, i) => `${i}-0`);
  const replies = await Promise.all(keys.map((k) => get(`/api/delay/1?fail=30&key=${k}`)));
  keys.forEach((k, i) => assert.equal(replies[i].status, fnv1a(k) % 100 < 30 ? 503 : 200, k));
  assert.ok(replies.some((r) => r.status === 503) && replies.some((r) => r.status === 200));
  assert.equal((await get('/api/delay/1?fail=101&key=x')).status, 400);
});

test('bad delays and statuses get a 400 with an explanation', async () => {
  for (const p of ['/api/delay/abc', '/api/delay/-5', '/api/delay/1.5', '/api/delay/10?status=42', '/api/delay/10?status=abc']) {
    const r = await get(p);
    assert.equal(r.status, 400, p);
    assert.match(JSON.parse(r.body).error, /must be/, p);
  }
  const r = await get('/api/nothing');
  assert.equal(r.status, 404);
});

test('delays are capped', async () => {
  const t0 = performance.now();
  const r = await get('/api/delay/100000');
  const took = performance.now() - t0;
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).delay_ms, 300);  // this test server's cap; tools/serve uses 30 s
  assert.equal(r.headers['x-delay-capped'], '100000');
  assert.ok(took < 2000, `took ${took} ms`);
});

test('paths with .. are refused, however they are spelled', async () => {
  for (const p of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/a/../../secret.txt', '/..\\secret.txt', '/%2E%2E%5Csecret.txt']) {
    const r = await get(p);
    assert.ok(r.status === 403 || r.status === 400, `${p} answered ${r.status}`);
    assert.doesNotMatch(r.body, /must not be served/);
  }
  assert.equal(resolveStatic(root, '/../secret.txt').error, 403);
  assert.equal(resolveStatic(root, '/%zz').error, 400);
});

test('the web build is served with the right types', async () => {
  const html = await get('/');
  assert.equal(html.status, 200);
  assert.match(html.headers['content-type'], /text\/html/);
  const wasm = await get('/index.wasm');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal((await get('/missing.js')).status, 404);
});

test('malformed paths get a 400 and the server stays up', async () => {
  for (const p of ['//', '//x', '/\\', '/\\x', '//127.0.0.1:1/']) {
    const r = await get(p);
    assert.equal(r.status, 400, `${p} answered ${r.status}`);
  }
  // A request line Node cannot parse at all.
  const reply = await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.equal((await get('/api/delay/1')).status, 200, 'and it still answers');
});

test('a kept-alive connection that already answered is closed unanswered on an error, never given a stray 400', async () => {
  // A browser reads whatever comes next on a kept-alive connection as the answer to its next request: a 400
  // written there (an idle timeout racing that request) failed a page load. Node's own rule: close it, and
  // the browser sends the request again on a new connection.
  const reply = await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /api/delay/1 HTTP/1.1\r\nHost: x\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => {
      text += d;
      if (/\r\n\r\n[\s\S]*\}/.test(text) && !socket.sentGarbage) {
        socket.sentGarbage = true;
        socket.write('GARBAGE\r\n\r\n');
      }
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 200/);
  assert.equal((reply.match(/HTTP\/1\.1 /g) || []).length, 1, `one answer only, got: ${reply}`);
});

test('only the page\'s own files are served: not the build\'s internals, not a symlink out of the folder', async () => {
  for (const p of ['/CMakeCache.txt', '/build.ninja', '/compile_commands.json', '/libcore.a', '/CMakeFiles/']) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} answered ${r.status}`);
    assert.doesNotMatch(r.body, /secret-path|rule cc/);
  }
  const link = await get('/style.css');
  assert.equal(link.status, 403);
  assert.doesNotMatch(link.body, /must not be served/);
});

test('requests held at once are capped with a 503 that says so, and the cap frees as answers go', async () => {
  // A server that holds at most 50 (tools/serve: 900, below a process's 1,024 file handles).
  const small = createServer({ root, maxDelayMs: 300, maxHeld: 50 });
  await new Promise((resolve) => small.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const getSmall = (p) => get(p, small.address().port);
  const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => getSmall(`/api/delay/200?i=${i}`)));
  const refused = replies.filter((r) => r.status === 503);
  assert.equal(replies.filter((r) => r.status === 200).length, 50);
  assert.equal(refused.length, 10);
  assert.match(JSON.parse(refused[0].body).error, /50 requests are already waiting here/);
  assert.equal(refused[0].headers['retry-after'], '1');
  assert.equal(small.held.count, 0, 'every held request was let go');
  assert.equal((await getSmall('/api/delay/1')).status, 200);
  await new Promise((resolve) => small.close(resolve));
});

test('the page is always served, whatever the API holds: 2,000 held requests while the page is fetched 20 times', { timeout: 60000 }, async () => {
  // A server as tools/serve makes it (900 held at most), with delays long enough to outlast the test.
  const busy = createServer({ root, maxDelayMs: 30000 });
  await new Promise((resolve) => busy.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const busyPort = busy.address().port;
  const crowd = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const holders = [];
  const statuses = { 200: 0, 503: 0, error: 0 };
  for (let i = 0; i < 2000; i++) {
    holders.push(new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: busyPort, path: `/api/delay/30000?i=${i}`, agent: crowd }, (res) => {
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        res.resume();
        res.on('end', resolve);
        res.on('error', resolve);
      });
      req.on('error', () => { statuses.error++; resolve(); });
      req.end();
    }));
  }
  // Wait until the API holds all it may, then ask for the page.
  for (let k = 0; k < 200 && busy.held.count < 900; k++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(busy.held.count, 900, 'the API holds 900 and refuses the rest');
  const page = await Promise.all(Array.from({ length: 20 }, () => new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port: busyPort, path: '/index.html', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
    });
    req.on('error', (e) => resolve({ status: e.code, ms: performance.now() - t0 }));
    req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
    req.end();
  })));
  console.log(`# 2,000 held: ${busy.held.count} held, ${statuses[503]} refused with 503, ${statuses.error} reset; the page ` +
    `answered 20 times in ${Math.round(Math.max(...page.map((p) => p.ms)))} ms at most`);
  assert.deepEqual(page.map((p) => p.status), Array(20).fill(200), 'every page fetch was served');
  assert.equal(statuses.error, 0, 'no connection was reset: the refused ones were told 503');
  assert.equal(statuses[503], 1100);
  crowd.destroy();
  await Promise.all(holders);
  for (let k = 0; k < 100 && busy.held.count > 0; k++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(busy.held.count, 0, 'the held requests were let go as their callers left');
  busy.closeAllConnections();
  await new Promise((resolve) => busy.close(resolve));
});

test('a page file swapped for a symlink while it is served is never followed out of the folder', { timeout: 60000 }, async () => {
  const file = path.join(root, 'sw.js');
  const real = path.join(root, '.sw.js.real');
  fs.writeFileSync(real, '// the page\'s own file');
  fs.copyFileSync(real, file);
  const link = path.join(root, '.sw.js.link');
  fs.symlinkSync(outside, link);
  let leaked = 0, served = 0, refused = 0;
  const swapper = setInterval(() => {
    // Each swap is a rename, as an attacker's would be: the path is always one or the other.
    try {
      if (fs.lstatSync(file).isSymbolicLink()) fs.copyFileSync(real, `${file}.tmp`), fs.renameSync(`${file}.tmp`, file);
      else fs.symlinkSync(outside, `${file}.tmp`), fs.renameSync(`${file}.tmp`, file);
    } catch (e) {
      // (a swap that lost a race with the next one)
    }
  }, 15);
  try {
    for (let round = 0; round < 30; round++) {
      const replies = await Promise.all(Array.from({ length: 50 }, () => get('/sw.js')));
      for (const r of replies) {
        if (/must not be served/.test(r.body)) leaked++;
        else if (r.status === 200) served++;
        else refused++;
      }
    }
  } finally {
    clearInterval(swapper);
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.tmp`, { force: true });
    fs.rmSync(real, { force: true });
    fs.rmSync(link, { force: true });
  }
  console.log(`# 1,500 fetches during swaps: ${served} served the page's file, ${refused} refused, ${leaked} leaked`);
  assert.equal(leaked, 0, 'the outside file was never sent');
  assert.ok(served > 0 && refused > 0, 'both states were met (a file changed between its open and its check is refused too)');
});

test('a link with a long query is the page\'s to explain, not a 431', async () => {
  const r = await get(`/index.html?lesson=limits&x=${'a'.repeat(20000)}`);
  assert.equal(r.status, 200);
});
