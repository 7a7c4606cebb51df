// The real page in headless Chromium, driven as a person would: it loads from the dev server, runs the
// loop and gather by clicking, runs them again through window.playground.run, cancels, survives bad
// input, and leaves a screenshot in the build folder. Any console error fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { launchChromium, startDevServer, parseArgs } from '../tools/browser.mjs';
import * as helpers from './helpers.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', out: 'build/screenshots' });
fs.mkdirSync(args.out, { recursive: true });

let dev, browser, page;
let closing = false;
const consoleErrors = [];
let allowedErrors = null;  // a RegExp while a step expects the browser to log failed requests

before(async () => {
  dev = await startDevServer(path.resolve(args.web));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (allowedErrors && allowedErrors.test(m.text())) return;
    consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('crash', () => console.error('# the page crashed'));
  browser.on('disconnected', () => { if (!closing) console.error('# the browser disconnected'); });
  await page.goto(dev.url);
  await page.evaluate(() => window.playground.ready);
});

after(async () => {
  closing = true;
  await browser?.close();
  await dev?.close();
});

function noConsoleErrors() {
  assert.deepEqual(consoleErrors, [], 'console errors');
}

const settled = () => helpers.settled(page, 20);
const click = (name) => helpers.click(page, name);
const typeInto = (name, value) => helpers.typeInto(page, name, value);
const nextRunEnd = () => helpers.nextRunEnd(page);

async function clickRun() {
  const ended = nextRunEnd();
  await click('run');
  return ended;
}

test('the page is ready with its in-page API serving and the dev server reachable', async () => {
  const apis = await page.evaluate(() => window.playground.apis);
  assert.equal(apis.page.ready, true, apis.page.note);
  assert.equal(apis.server.ready, true, apis.server.note);
  noConsoleErrors();
});

test('a person runs the loop, then gather, by clicking', async () => {
  await click('settings');  // every code path is under "All settings"
  await click('path:sequential');
  await typeInto('n', 5);
  await typeInto('latency', 200);
  const seq = await clickRun();
  assert.equal(seq.path, 'sequential');
  assert.equal(seq.n, 5);
  assert.equal(seq.latencyMs, 200);
  assert.equal(seq.ok, 5);
  assert.ok(seq.wallMs >= 5 * 200, `sequential wall ${seq.wallMs}`);
  assert.equal(seq.peakInFlight, 1);

  await click('path:concurrent');
  const con = await clickRun();
  assert.equal(con.path, 'concurrent');
  assert.equal(con.ok, 5);
  assert.equal(con.peakInFlight, 5);
  assert.ok(con.wallMs >= 200 && con.wallMs < 0.5 * seq.wallMs, `concurrent ${con.wallMs} vs sequential ${seq.wallMs}`);
  noConsoleErrors();
});

test('through window.playground.run, 10 x 200 ms gather takes under 0.3 x the loop', async () => {
  const seq = await page.evaluate(() => window.playground.run({ path: 'sequential', n: 10, latencyMs: 200, api: 'page' }));
  const con = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 10, latencyMs: 200, api: 'page' }));
  assert.equal(seq.ok, 10);
  assert.equal(con.ok, 10);
  assert.ok(seq.wallMs >= 2000, `sequential ${seq.wallMs}`);
  assert.ok(con.wallMs < 0.3 * seq.wallMs, `concurrent ${con.wallMs} vs sequential ${seq.wallMs}`);
  assert.equal(con.requests.length, 10);
  for (const r of con.requests) {
    assert.equal(r.outcome, 'ok');
    assert.equal(r.status, 200);
    assert.ok(r.endMs - r.startMs >= 199, `a 200 ms request took ${r.endMs - r.startMs} ms`);
  }
  noConsoleErrors();
});

test('a screen reader hears each run and can walk the history as a table', async () => {
  const r = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 4, latencyMs: 100, api: 'page' }));
  const live = await page.$eval('#live', (el) => ({ text: el.textContent, polite: el.getAttribute('aria-live') }));
  assert.equal(live.polite, 'polite');
  assert.equal(live.text, r.summary);
  assert.match(live.text, /^4 requests, concurrent, in-page API: \d+ ms, expected \d+ ms\.$/);
  // The expectation: the program's 100 ms, plus what this browser was measured to cost, named.
  assert.equal(r.expected.pathMs, 100);
  assert.equal(r.expected.capMs, 0);
  assert.ok(Math.abs(r.expectedMs - (100 + r.expected.browserMs)) < 0.01, JSON.stringify(r.expected));
  assert.ok(live.text.endsWith(`expected ${Math.round(r.expectedMs)} ms.`), live.text);
  const rows = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.ok(rows.length >= 4);
  assert.deepEqual(rows[rows.length - 1].slice(1, 5), ['concurrent', '4', '100 ms', 'page']);
  await page.evaluate(() => window.playground.lesson('limits'));
  await settled();
  assert.match(await page.$eval('#live', (el) => el.textContent), /^Lesson 7 of 10: Limits\. Claim: expected = ceil\(N \/ k\)/);
});

test('bounded concurrency runs in waves of k', async () => {
  const r = await page.evaluate(() => window.playground.run({ path: 'bounded', n: 9, latencyMs: 150, limit: 3, api: 'page' }));
  assert.equal(r.expected.pathMs, 450);
  assert.ok(Math.abs(r.expectedMs - (450 + r.expected.browserMs)) < 0.01, JSON.stringify(r.expected));
  assert.equal(r.peakInFlight, 3);
  assert.equal(r.expectedPeakInFlight, 3);
  assert.ok(r.wallMs >= 450 && r.wallMs < 900, `bounded wall ${r.wallMs}`);
  noConsoleErrors();
});

test('through the dev server, the browser\'s 6-connection cap shows and is explained', async () => {
  const r = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 18, latencyMs: 250, api: 'server' }));
  assert.equal(r.ok, 18);
  assert.ok(r.wallMs >= 3 * 250, `18 requests through 6 connections took ${r.wallMs} ms`);
  assert.ok(r.notes.some((n) => /6 connections/.test(n)), JSON.stringify(r.notes));
  noConsoleErrors();
});

test('cancel stops a run mid-flight, and the next run is clean', async () => {
  const running = page.evaluate(() => window.playground.run({ path: 'sequential', n: 20, latencyMs: 200, api: 'page' }));
  await page.waitForTimeout(500);
  await click('cancel');
  const cancelled = await running;
  assert.equal(cancelled.state, 'cancelled');
  assert.ok(cancelled.ok >= 1 && cancelled.ok <= 4, `ok before cancel: ${cancelled.ok}`);
  assert.equal(cancelled.requests.filter((q) => q.outcome === 'cancelled').length, 20 - cancelled.ok);
  // Starting a run while one is running cancels the old one; its late answers must not leak into the new one.
  const first = page.evaluate(() => window.playground.run({ path: 'concurrent', n: 5, latencyMs: 300, api: 'page' }));
  await page.waitForTimeout(100);
  const second = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 3, latencyMs: 400, api: 'page' }));
  assert.equal((await first).state, 'cancelled');
  assert.equal(second.state, 'finished');
  assert.equal(second.ok, 3);
  assert.equal(second.requests.length, 3);
  noConsoleErrors();
});

test('Cancel during CPU work ends the run within the burst already running; later answers are not worked on', async () => {
  // 10 answers arrive at once after 300 ms and each takes 2 s of CPU: the issue's case ran on for 10 s.
  await page.goto(`${dev.url}?lesson=when-not-worth-it&n=10&cpu=2000&latency=300`);
  await page.evaluate(() => window.playground.ready);
  const cancel = await helpers.rectOf(page, 'cancel');  // where it is (the page draws no frame while it computes)
  // When the press happened (an input event's timeStamp is when it was made, not when the page got to it).
  await page.evaluate(() => window.addEventListener('pointerdown', (e) => { window.pressedAt = e.timeStamp; }, { capture: true }));
  const ended = helpers.nextRunEnd(page, 60000);
  await click('run');
  await page.mouse.move(cancel.x + cancel.w / 2, cancel.y + cancel.h / 2);  // the hand over Cancel, ready
  await page.waitForTimeout(2800 - 180);
  await page.mouse.down();  // (the page is busy with an answer's CPU work now)
  await page.mouse.up();
  const r = await ended;
  const clickAt = await page.evaluate(() => window.pressedAt);
  assert.equal(r.state, 'cancelled');
  const endedAt = r.startAbsMs + r.wallMs;
  assert.ok(endedAt - clickAt <= 2000 + 300, `the run ended ${Math.round(endedAt - clickAt)} ms after the click`);
  const worked = r.requests.filter((q) => q.outcome === 'ok').length;
  assert.ok(worked <= 3, `${worked} answers were worked on`);
  assert.equal(r.requests.filter((q) => q.outcome === 'cancelled').length, 10 - worked);
  noConsoleErrors();
});

test('the history survives a reload: every run of the visit, the screen reader\'s table too', async () => {
  await page.goto(dev.url);
  await page.evaluate(() => window.playground.ready);
  const a = await page.evaluate(() => window.playground.run({ path: 'sequential', n: 3, latencyMs: 20, api: 'simulated' }));
  const b = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 3, latencyMs: 20, api: 'simulated' }));
  await page.waitForTimeout(1200);  // (the page keeps its history a moment after a run)
  await page.reload();
  await page.evaluate(() => window.playground.ready);
  const numbers = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => Number(tr.cells[0].textContent)));
  assert.ok(numbers.includes(a.number) && numbers.includes(b.number), `rows ${numbers.slice(-5)} hold runs ${a.number} and ${b.number}`);
  const c = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 2, latencyMs: 20, api: 'simulated' }));
  assert.ok(c.number > b.number, 'numbering goes on after the kept runs');
  noConsoleErrors();
});

test('bad input is clamped or refused with a message, never a crash', async () => {
  const big = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 20000, latencyMs: -5, api: 'simulated' }));
  assert.equal(big.n, 10000);
  assert.equal(big.latencyMs, 0);
  assert.equal(big.ok, 10000);
  await assert.rejects(page.evaluate(() => window.playground.run({ path: 'parallel' })), /path must be one of/);
  await assert.rejects(page.evaluate(() => window.playground.run({ n: 'many' })), /n must be a number/);
  // Typing an out-of-range N into the page is clamped the same way, with a note on screen.
  await typeInto('n', 99999);
  await page.screenshot({ path: path.join(args.out, 'clamped.png'), clip: { x: 0, y: 0, width: 520, height: 420 } });
  const n = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 3, latencyMs: 10, api: 'simulated' }));
  assert.equal(n.ok, 3);
  noConsoleErrors();
});

test('HTTP errors and an unreachable API end as visible outcomes, and the run completes', async () => {
  allowedErrors = /Failed to load resource|ERR_CONNECTION_REFUSED/;
  try {
    const e503 = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 4, latencyMs: 50, api: 'page', status: 503 }));
    assert.equal(e503.state, 'finished');
    assert.deepEqual(e503.requests.map((r) => [r.outcome, r.status]), Array(4).fill(['http_error', 503]));
    assert.match(e503.requests[0].reason, /HTTP 503/);
    const srv404 = await page.evaluate(() => window.playground.run({ path: 'sequential', n: 2, latencyMs: 10, api: 'server', status: 404 }));
    assert.deepEqual(srv404.requests.map((r) => r.outcome), ['http_error', 'http_error']);
    // Nothing listens on port 9 of the loopback: every request fails, says why, and the run still ends.
    const gone = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 3, latencyMs: 10, api: 'server', serverBase: 'http://127.0.0.1:9' }));
    assert.equal(gone.state, 'finished');
    assert.deepEqual(gone.requests.map((r) => r.outcome), Array(3).fill('network_error'));
    assert.match(gone.requests[0].reason, /refused|unreachable|CORS/);
    await page.screenshot({ path: path.join(args.out, 'errors.png') });
    await page.evaluate((base) => window.playground.run({ path: 'sequential', n: 1, latencyMs: 0, api: 'server', serverBase: base }), dev.url.replace(/\/$/, ''));
  } finally {
    allowedErrors = null;
  }
  await page.evaluate(() => window.playground.run({ path: 'sequential', n: 1, latencyMs: 0, api: 'page', status: 200 }));
  noConsoleErrors();
});

test('without service workers the page falls back to simulated runs and says so', async () => {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
  const p = await context.newPage();
  const errors = [];
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await p.goto(dev.url);
  const { apis } = await p.evaluate(() => window.playground.ready);
  assert.equal(apis.page.ready, false);
  const r = await p.evaluate(() => window.playground.run({ path: 'concurrent', n: 4, latencyMs: 100, api: 'page' }));
  assert.equal(r.api, 'simulated');
  assert.equal(r.wallMs, 100);
  await p.screenshot({ path: path.join(args.out, 'no-service-worker.png') });
  await context.close();
  assert.deepEqual(errors, []);
});

test('every lesson, opened and run through the page, proves its claim (a screenshot each)', async () => {
  allowedErrors = /Failed to load resource: the server responded with a status of 503/;  // the retries lesson's injected 503s
  try {
    await page.goto(dev.url);  // a fresh page: "All settings" folded, the code in view
    await page.evaluate(() => window.playground.ready);
    await page.evaluate(() => window.playground.lesson(1));
    const { count, lessons } = await page.evaluate(() => window.playground.lessonState());
    assert.equal(count, 10);
    for (let i = 0; i < count; i++) {
      if (i > 0) await click('lesson:next');  // as a person walks through them
      const state = await page.evaluate(() => window.playground.lessonState());
      assert.equal(state.id, lessons[i]);
      assert.ok(state.claim.startsWith('expected'), state.claim);
      const result = await clickRun();
      assert.equal(result.state, 'finished', state.id);
      await page.waitForTimeout(150);
      const after = await page.evaluate(() => window.playground.lessonState());
      assert.ok(after.verdict, `${state.id}: no verdict`);
      console.log(`# lesson ${i + 1} ${state.id}: ${after.verdict.path}: ${after.verdict.line}`);
      assert.equal(after.verdict.ok, true, `${state.id}: ${after.verdict.line} ${after.verdict.reason}`);
      // One figure for one run: the claim beside Run states the expectation the run was judged by.
      const expected = after.verdict.line.match(/expected ([0-9.,]+ (?:ms|s|min|h))/)[1];
      assert.ok(after.claim.includes(`= ${expected}`), `${state.id}: the claim "${after.claim}" and the verdict's expected ${expected}`);
      if (state.id === 'limits') {
        // A clicked code line lights its bars; a clicked bar lights its line.
        await click('code-line:queue');
        assert.equal((await page.evaluate(() => window.playground.lessonState())).selectedPhase, 'queue');
        const wf = await page.evaluate(() => window.playground.widgetRect('waterfall'));
        // Row 1 (the first call) is in flight from the start: its bar, a little way in.
        await page.mouse.click(wf.x + wf.w * 0.08, wf.y + 30);
        await page.waitForTimeout(100);
        const picked = await page.evaluate(() => window.playground.lessonState());
        assert.equal(picked.selectedRequest, 0);
        assert.equal(picked.selectedPhase, 'wait');
      }
      if (state.id === 'just-enough-asyncio') {
        for (let k = 0; k < 4; k++) await click('stepper:forward');
      }
      await page.mouse.move(5, 5);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(args.out, `lesson-${String(i + 1).padStart(2, '0')}-${state.id}.png`) });
    }
    // Each claim held; yet every lesson's exercise is the learner's own program's to pass, not a code path's.
    const statuses = (await page.evaluate(() => window.playground.progress())).map((p) => p.status);
    assert.deepEqual(statuses, Array(10).fill('not tried'), 'a code path\'s claim does not pass an exercise');
  } finally {
    allowedErrors = null;
  }
  noConsoleErrors();
});

test('on a loaded machine (a busy process beside the browser) the lessons still hold their claims', async () => {
  // A busy loop in another process takes a whole core of two, for at most 60 s.
  const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end) {}'], { stdio: 'ignore' });
  try {
    await page.waitForTimeout(300);
    for (const id of ['wait-together', 'the-mistake', 'limits', 'when-not-worth-it']) {
      await page.evaluate((l) => window.playground.lesson(l), id);
      const r = await clickRun();
      assert.equal(r.state, 'finished', id);
      await page.waitForTimeout(150);
      const { verdict } = await page.evaluate(() => window.playground.lessonState());
      console.log(`# under load, ${id}: ${verdict.line} (the browser's part: ${Math.round(r.expected.browserMs)} ms)`);
      assert.equal(verdict.ok, true, `${id} under load: ${verdict.line} ${verdict.reason}`);
    }
  } finally {
    busy.kill();
  }
  noConsoleErrors();
});

test('switching lessons mid-run cancels the run cleanly', async () => {
  await page.evaluate(() => window.playground.lesson('one-call-at-a-time'));
  const running = clickRun();
  await page.waitForTimeout(600);
  await click('lesson:next');
  const r = await running;
  assert.equal(r.state, 'cancelled');
  const state = await page.evaluate(() => window.playground.lessonState());
  assert.equal(state.id, 'same-interface');
  assert.equal(state.verdict, null);
  noConsoleErrors();
});

test('the place and the marks survive a reload; a bad lesson file is explained, built-ins stay', async () => {
  await page.evaluate(() => window.playground.lesson('limits'));
  await page.reload();  // (the cancelled run above did not undo the marks)
  await page.evaluate(() => window.playground.ready);
  const state = await page.evaluate(() => window.playground.lessonState());
  assert.equal(state.id, 'limits');
  assert.equal((await page.evaluate(() => window.playground.progress())).length, 10);
  allowedErrors = /status of 404/;
  try {
    await page.goto(`${dev.url}?lessons=missing.txt`);
    await page.evaluate(() => window.playground.ready);
  } finally {
    allowedErrors = null;
  }
  const bad = await page.evaluate(() => window.playground.lessonState());
  assert.equal(bad.count, 10);
  assert.match(bad.errors.join(' '), /missing\.txt: could not be loaded \(HTTP 404\)/);
  await page.screenshot({ path: path.join(args.out, 'bad-lesson-file.png') });
  // A lesson file on another site (another loopback port) served without a CORS header: the browser says only
  // "Failed to fetch"; the page says it is CORS and which header the host must send.
  const { createServer: createHttpServer } = await import('node:http');
  const elsewhere = createHttpServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('lesson: x\ntitle: X\npaths: bounded\n'); });
  await new Promise((resolve) => elsewhere.listen({ port: 0, host: '127.0.0.1' }, resolve));
  allowedErrors = /CORS|Failed to load resource|Access-Control-Allow-Origin/;
  try {
    await page.goto(`${dev.url}?lessons=${encodeURIComponent(`http://127.0.0.1:${elsewhere.address().port}/course.txt`)}`);
    await page.evaluate(() => window.playground.ready);
  } finally {
    allowedErrors = null;
    await new Promise((resolve) => elsewhere.close(resolve));
  }
  const refused = await page.evaluate(() => window.playground.lessonState());
  assert.equal(refused.count, 10);
  assert.match(refused.errors.join(' '), /course\.txt: could not be loaded \(its host, http:\/\/127\.0\.0\.1:\d+, did not answer or did not let this page read it: .*"Access-Control-Allow-Origin: \*" \(CORS\)\)/);
  // A teacher's own lesson, added from a URL, opened by id.
  const extra = 'lesson: teacher\ntitle: A teacher\'s lesson\npaths: bounded\npreset: n=6 latency=100 limit=2\ntext:\nTwo at a time.\n' +
    'lesson: broken\ntitle: Broken\npaths: parallel\n';
  await page.goto(`${dev.url}?lessons=${encodeURIComponent('data:text/plain,' + encodeURIComponent(extra))}&lesson=teacher`);
  await page.evaluate(() => window.playground.ready);
  const added = await page.evaluate(() => window.playground.lessonState());
  assert.equal(added.count, 11);
  assert.equal(added.id, 'teacher');
  assert.match(added.errors.join(' '), /:9: unknown code path 'parallel'/);
  const r = await clickRun();
  assert.equal(r.path, 'bounded');
  assert.equal(r.expected.pathMs, 300);
  // A lesson id with a comma and a quote survives the place kept across visits and a permalink.
  const odd = 'odd,"id';
  const oddFile = `lesson: ${odd}\ntitle: Odd id\npaths: concurrent\npreset: n=3 latency=50 api=simulated\ntext:\nAn id with a comma and a quote.\n`;
  const oddUrl = `${dev.url}?lessons=${encodeURIComponent('data:text/plain,' + encodeURIComponent(oddFile))}`;
  await page.goto(`${oddUrl}&lesson=${encodeURIComponent(odd)}`);
  await page.evaluate(() => window.playground.ready);
  assert.equal((await page.evaluate(() => window.playground.lessonState())).id, odd);
  await clickRun();
  assert.ok((await page.evaluate(() => window.playground.lessonState())).done.includes(odd), 'the odd lesson is marked');
  const oddLink = await page.evaluate(() => window.playground.permalink());
  await page.goto(oddUrl);  // no ?lesson=: the place kept across visits opens it
  await page.evaluate(() => window.playground.ready);
  const back = await page.evaluate(() => window.playground.lessonState());
  assert.equal(back.id, odd);
  assert.ok(back.done.includes(odd));
  assert.equal((await page.evaluate(() => window.playground.progress())).find((p) => p.lesson === odd).status, 'passed', 'its claim held: passed');
  await page.goto(`${oddLink}&lessons=${encodeURIComponent('data:text/plain,' + encodeURIComponent(oddFile))}`);
  await page.evaluate(() => window.playground.ready);
  assert.equal((await page.evaluate(() => window.playground.lessonState())).id, odd);
  noConsoleErrors();
});

test('a copied link reproduces the lesson and its numbers; bad parameters fall back with a note', async () => {
  await page.goto(dev.url);
  await page.evaluate(() => window.playground.ready);
  await page.evaluate(() => window.playground.lesson('limits'));
  await typeInto('n', 40);
  await click('copy-link');
  const link = await page.evaluate(() => window.playground.lastLink);
  assert.equal(link, `${dev.url}?lesson=limits&n=40`);
  await page.evaluate(() => window.playground.lesson('wait-together'));  // somewhere else first
  await page.goto(link);
  await page.evaluate(() => window.playground.ready);
  const back = await page.evaluate(() => window.playground.lessonState());
  assert.equal(back.id, 'limits');
  assert.equal(await page.evaluate(() => window.playground.permalink()), link);
  await page.goto(`${dev.url}?lesson=nope&n=abc&colour=red&path=bounded`);
  await page.evaluate(() => window.playground.ready);
  const bad = await page.evaluate(() => window.playground.lessonState());
  assert.equal(bad.path, 'bounded', 'the good parameter still applies');
  assert.deepEqual(bad.notes, [
    "Link: there is no lesson 'nope'; showing lesson 7.",
    "Link: n must be a whole number, got 'abc' (ignored).",
    "Link: unknown setting 'colour' (ignored).",
  ]);
  await page.screenshot({ path: path.join(args.out, 'bad-link.png') });
  noConsoleErrors();
});

test('copied under a sub-path of a plain static host, the page and its in-page API work', async () => {
  // A course site: the build copied to /course/week-1/playground/ and served by Python's http.server,
  // which knows nothing of /api/delay.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'static-host-'));
  const sub = path.join(root, 'course', 'week-1', 'playground');
  fs.mkdirSync(sub, { recursive: true });
  for (const f of fs.readdirSync(args.web)) {
    if (/\.(html|js|wasm|css)$/.test(f)) fs.copyFileSync(path.join(args.web, f), path.join(sub, f));
  }
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => resolve(p)); });
  });
  const server = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}/course/week-1/playground/index.html`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await context.newPage();
    const errors = [];
    p.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text()); });
    for (let i = 0; i < 50; i++) {
      try { await p.goto(url); break; } catch (e) { await new Promise((r) => setTimeout(r, 100)); }
    }
    const { apis } = await p.evaluate(() => window.playground.ready);
    assert.equal(apis.page.ready, true, apis.page.note);
    assert.equal(apis.page.base, `http://127.0.0.1:${port}/course/week-1/playground/inpage`);
    assert.equal(apis.server.ready, false, 'a static host has no /api/delay');
    const r = await p.evaluate(() => window.playground.run({ path: 'concurrent', n: 5, latencyMs: 200, api: 'page' }));
    assert.equal(r.ok, 5);
    assert.ok(r.wallMs < 400, `${r.wallMs}`);
    await p.screenshot({ path: path.join(args.out, 'static-sub-path.png') });
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    server.kill();
  }
});

test('embedded in a host page, the playground never takes the host\'s keystrokes', async () => {
  await page.goto(`${dev.url}host-example.html`);
  const frame = page.frameLocator('#playground');
  const inner = page.frames().find((f) => f.url().includes('index.html'));
  await inner.evaluate(() => window.playground.ready);
  const before = await inner.evaluate(() => window.playground.lessonState().id);
  assert.equal(before, 'wait-together');
  await page.click('#notes');
  await page.keyboard.type('gather', { delay: 30 });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('!', { delay: 30 });
  assert.equal(await page.$eval('#notes', (el) => el.value), 'gathe!r');
  await page.waitForTimeout(200);
  assert.equal(await inner.evaluate(() => window.playground.lessonState().id), 'wait-together', 'the arrows stayed in the host');
  // Clicked into, the playground takes its keys: the right arrow walks to the next lesson.
  await frame.locator('#canvas').click({ position: { x: 700, y: 420 } });
  await page.waitForTimeout(150);
  await page.keyboard.down('ArrowRight');
  await page.waitForTimeout(80);
  await page.keyboard.up('ArrowRight');
  await page.waitForTimeout(200);
  assert.equal(await inner.evaluate(() => window.playground.lessonState().id), 'the-mistake');
  await page.screenshot({ path: path.join(args.out, 'embedded.png') });
  noConsoleErrors();
});

test('a sequential run and a concurrent run sit side by side in the history (screenshot)', async () => {
  await page.goto(dev.url);
  await page.evaluate(() => window.playground.ready);
  await page.evaluate(() => window.playground.run({ path: 'sequential', n: 10, latencyMs: 200, api: 'page' }));
  await click('settings');
  await click('path:concurrent');
  await typeInto('n', 10);
  await typeInto('latency', 200);
  const con = await clickRun();
  assert.equal(con.path, 'concurrent');
  assert.equal(con.n, 10);
  assert.equal(con.ok, 10);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(300);
  const file = path.join(args.out, 'page.png');
  await page.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 10000);
  noConsoleErrors();
});
