// The results views, driven by clicks and drags in headless Chromium as a learner would: the race of two
// code paths, the scaling charts with a live sweep, predict-then-run, the replay slider, run files saved and
// loaded back (a bad one explained), the history as CSV and the panel as PNG, the stalled stretches that
// Resource Timing shows for real sockets, and a run of 10,000 requests. Screenshots go to --out; any console
// error fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, startDevServer, parseArgs } from '../tools/browser.mjs';
import * as helpers from './helpers.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', out: 'build/screenshots' });
fs.mkdirSync(args.out, { recursive: true });

let dev, browser, context, page;
const consoleErrors = [];

before(async () => {
  dev = await startDevServer(path.resolve(args.web));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
});

after(async () => {
  await browser?.close();
  await dev?.close();
});

async function open(query) {
  await page.goto(`${dev.url}${query}`);
  await page.evaluate(() => window.playground.ready);
  await settled();
}

const settled = () => helpers.settled(page);
const rect = (name) => helpers.rectOf(page, name);
const click = (name) => helpers.click(page, name);
const drag = (from, to) => helpers.drag(page, from, to);

async function shot(name) {
  await page.mouse.move(2, 798);
  await page.waitForTimeout(150);
  await settled();
  await page.screenshot({ path: path.join(args.out, name) });
}

const runEnds = (count) => helpers.runEnds(page, count);

test('the race: two code paths, the same numbers, one axis from zero, and the ratio', async () => {
  await open('?lesson=the-mistake&n=10&latency=150');
  await click('view:race');
  const ended = runEnds(2);
  await click('race:start');
  const [a, b] = await ended;
  assert.equal(a.path, 'await_in_loop');
  assert.equal(b.path, 'concurrent');
  assert.equal(a.n, b.n);
  assert.ok(a.wallMs > 5 * b.wallMs, `one at a time ${a.wallMs} ms against all at once ${b.wallMs} ms`);
  await rect('race:lane-a');
  await rect('race:lane-b');
  assert.equal((await page.evaluate(() => window.playground.lessonState().path)), 'await_in_loop', 'the learner\'s path is back');
  await shot('race.png');
  assert.deepEqual(consoleErrors, []);
});

test('scaling: the model\'s lines at once, a live sweep\'s dots on demand', async () => {
  await open('?lesson=limits&latency=100');
  // A run of the learner's own first: the sweep must leave it, and its verdict, alone.
  const [mine] = await (async () => { const e = runEnds(1); await click('run'); return e; })();
  await settled();
  const verdictBefore = (await page.evaluate(() => window.playground.lessonState())).verdict;
  assert.ok(verdictBefore, 'the learner\'s run has a verdict');
  await click('view:scaling');
  await rect('scaling:by-n');
  await rect('scaling:by-cpu');
  // 4 paths (the lesson's three and the plain loop) x N = 1, 5, 10, 20, 50.
  const ended = runEnds(20);
  await click('scaling:live');
  const runs = await ended;
  const wall = (p, n) => runs.find((r) => r.path === p && r.n === n).wallMs;
  assert.ok(wall('sequential', 50) > 8 * wall('concurrent', 50), 'the loop climbs, gather stays flat');
  // k = 5: N = 5 is one wave, 10 two, 50 ten.
  assert.ok(wall('bounded', 5) < 1.5 * 100 && wall('bounded', 10) > 1.7 * wall('bounded', 5), 'the limit climbs in steps of k');
  assert.ok(wall('bounded', 50) > 8 * wall('bounded', 5), `ten waves: ${wall('bounded', 50)} ms`);
  await settled();
  const sc = await page.evaluate(() => window.playground.scalingState());
  assert.equal(sc.active, false);
  assert.equal(sc.points.length, 20);
  assert.equal(sc.dotsDrawn, 20, 'every measured wall is a dot on the wall-time chart');
  // Both axes fit every series: the speedup chart reaches the largest speedup, the wall chart the longest run.
  const biggest = Math.max(...sc.lines.map((l) => l.maxSpeedup));
  assert.ok(biggest > 5, `gather's speedup is large (${biggest})`);
  assert.ok(sc.axisMax[1] >= biggest, `the speedup axis reaches ${biggest}x (${sc.axisMax[1]})`);
  assert.ok(sc.axisMax[0] >= Math.max(...sc.points.map((p) => p.wallMs)), 'the wall axis reaches every dot');
  const after = await page.evaluate(() => window.playground.lessonState());
  assert.deepEqual(after.verdict, verdictBefore, 'the sweep leaves the lesson\'s verdict alone');
  assert.equal(after.path, 'bounded', 'and the learner\'s code path');
  const csv = await downloadOf('history:csv');
  assert.ok(csv.text.split(/\r?\n/).some((line) => Number(line.split(',')[0]) === mine.number), 'and the learner\'s run stays in the history');
  await shot('scaling.png');
  assert.deepEqual(consoleErrors, []);
});

test('predict, then run: the dragged guess is scored and kept in the history', async () => {
  await open('?lesson=wait-together&n=10&latency=300&predict=1');
  const state = await page.evaluate(() => window.playground.lessonState());
  assert.equal(state.notes.length, 0, JSON.stringify(state.notes));
  const track = await rect('predict-track');
  await drag({ x: track.x + 20, y: track.y + track.h / 2 }, { x: track.x + track.w * 0.12, y: track.y + track.h / 2 });
  const ended = runEnds(1);
  await click('run');
  const [r] = await ended;
  assert.equal(r.ok, 10);
  await settled();
  const csv = await downloadOf('history:csv');
  // (The history keeps runs across reloads: find this run's row by its number.)
  const row = csv.text.trim().split(/\r?\n/).slice(1).map((line) => line.split(',')).find((cells) => Number(cells[0]) === r.number);
  assert.ok(row, `run #${r.number} is in the CSV`);
  const guess = Number(row[18]);
  assert.ok(guess > 0, `the guess is in the CSV: ${row}`);
  assert.ok(Number(row[19]) >= 0, 'with its error');
  await shot('predict.png');
  assert.deepEqual(consoleErrors, []);
});

async function downloadOf(name) {
  const wait = page.waitForEvent('download', { timeout: 10000 });
  await click(name);
  const d = await wait;
  const file = path.join(args.out, d.suggestedFilename());
  await d.saveAs(file);
  return { name: d.suggestedFilename(), file, text: fs.readFileSync(file, 'latin1') };
}

test('replay: dragging the slider shows an instant of the run', async () => {
  await open('?lesson=limits&n=10&latency=200');  // k = 5: two waves of 200 ms
  const ended = runEnds(1);
  await click('run');
  await ended;
  const slider = await rect('replay');
  // To about a quarter of the run: the first wave is in flight, the second queued.
  await drag({ x: slider.x + 4, y: slider.y + slider.h / 2 }, { x: slider.x + slider.w * 0.25, y: slider.y + slider.h / 2 });
  await settled();
  const lit = await page.evaluate(() => window.playground.lessonState());
  assert.ok(lit, 'state');
  const sentence = await page.evaluate(() => window.playground.replayText());
  assert.match(sentence, /5 waiting for the API, 5 queued/);
  await shot('replay.png');
  assert.deepEqual(consoleErrors, []);
});

test('a run saved to a file loads back; a bad file is explained; the panel saves as a PNG', async () => {
  await open('?lesson=limits&n=12&latency=100');
  const ended = runEnds(1);
  await click('run');
  const [r] = await ended;
  const saved = await downloadOf('save-run');
  assert.equal(saved.name, 'asyncplay-run-bounded-12.json');
  assert.match(saved.text, /"format":"asyncplay-run"/);
  const png = await downloadOf('save-png');
  assert.equal(png.name, 'asyncplay-results.png');
  assert.ok(fs.statSync(png.file).size > 5000, 'a picture with something in it');
  assert.equal(fs.readFileSync(png.file).subarray(1, 4).toString(), 'PNG');
  fs.copyFileSync(png.file, path.join(args.out, 'results-export.png'));  // (its caption: the lesson, claim, verdict, settings)

  // The program, with these numbers, to the clipboard and as a file.
  await click('code:copy');
  const program = await page.evaluate(() => window.playground.lastCopy);
  assert.match(program, /^N = 12$/m);
  assert.match(program, /^DELAY_MS = 100$/m);
  assert.match(program, /asyncio\.Semaphore\(LIMIT\)/);
  const py = await downloadOf('code:save');
  assert.equal(py.name, 'semaphore.py');
  assert.equal(fs.readFileSync(py.file, 'utf8'), program);

  // Load it back through the file chooser, as a learner would.
  const chooser = page.waitForEvent('filechooser');
  await click('load-run');
  await (await chooser).setFiles(saved.file);
  await page.waitForTimeout(300);
  const shown = await page.evaluate(() => window.playground.shownRun());
  assert.equal(shown.loaded, 'asyncplay-run-bounded-12.json');
  assert.equal(shown.wallMs.toFixed(1), r.wallMs.toFixed(1));
  // The loaded run steps like a fresh one: its events come from the file's trace.
  if (!(await page.evaluate(() => window.playground.stepper().open))) await click('stepper');
  await click('stepper:forward');
  await click('stepper:forward');
  const stepped = await page.evaluate(() => window.playground.stepper());
  assert.equal(stepped.step, 2);
  assert.ok(stepped.count > 12, `a step per event: ${stepped.count}`);
  assert.equal(stepped.replayMs, stepped.atMs);
  assert.ok(stepped.network.length + stepped.queued.length > 0, JSON.stringify(stepped));

  const bad = path.join(args.out, 'not-a-run.json');
  fs.writeFileSync(bad, '{"format": "asyncplay-run", "version": 1, "desc": {"path": "bounded", "count": 3}, "requests": [1, 2');
  const chooser2 = page.waitForEvent('filechooser');
  await click('load-run');
  await (await chooser2).setFiles(bad);
  await page.waitForTimeout(300);
  const after = await page.evaluate(() => window.playground.shownRun());
  assert.match(after.fileError, /not-a-run\.json could not be loaded: line 1, column \d+/);
  assert.equal(after.loaded, 'asyncplay-run-bounded-12.json', 'the good run is still shown');
  await shot('run-file.png');
  assert.deepEqual(consoleErrors, []);
});

test('every code path leaves as HAR (valid by the npm HAR validator) and as a Chrome trace (well-formed, each track nested in time)', async () => {
  const { default: harValidator } = await import('har-validator');
  await open('?lesson=limits');
  const paths = (await page.evaluate(() => window.playground.lessonState())).paths;
  const all = ['sequential', 'sync_client', 'await_in_loop', 'concurrent', 'as_completed', 'task_group', 'bounded', 'pool_limit', 'blocking_in_async', 'thread_pool', 'retry_backoff'];
  assert.ok(paths.every((p) => all.includes(p)));
  for (const p of all) {
    // On the dev server: real sockets, the browser's 6 connections, Resource Timing's stalled and first byte.
    const r = await page.evaluate((path) => window.playground.run({ path, n: 8, latencyMs: 100, limit: 3, api: 'server', retries: 1, timeoutMs: 1000, failPct: 20 }), p);
    assert.equal(r.state, 'finished', p);
    await page.waitForTimeout(150);  // (Resource Timing is read just after the run)
    const har = JSON.parse(await page.evaluate(() => window.playground.exportRun('har')));
    await harValidator.har(har).catch((e) => assert.fail(`${p}: ${JSON.stringify(e.errors || e.message).slice(0, 800)}`));
    const attempts = r.requests.length + r.requests.reduce((n, q) => n + Math.max(0, (q.attempts || 1) - 1), 0);
    assert.ok(har.log.entries.length >= r.requests.length, `${p}: an entry per attempt (${har.log.entries.length} of ${attempts})`);
    for (const e of har.log.entries) {
      const sum = [e.timings.blocked, e.timings.send, e.timings.wait, e.timings.receive].filter((x) => x > 0).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(e.time - sum) < 0.002, `${p}: time ${e.time} is the sum of its timings, ${sum}`);
    }
    const trace = JSON.parse(await page.evaluate(() => window.playground.exportRun('trace')));
    checkTrace(trace, p);
  }
  // The buttons save the same texts.
  const har = await downloadOf('save-har');
  assert.match(har.name, /^asyncplay-retry_backoff-8\.har$/);
  assert.equal(har.text, await page.evaluate(() => window.playground.exportRun('har')));
  const trace = await downloadOf('save-trace');
  assert.equal(trace.name, 'asyncplay-retry_backoff-8-trace.json');
  assert.match(await page.evaluate(() => { try { window.playground.exportRun('xml'); return 'no error'; } catch (e) { return e.message; } }), /"xml" is not a format; one of har, trace, json, csv/);
  // (The 503s the API was asked for are the browser's console lines, not the page's errors.)
  assert.deepEqual(consoleErrors.filter((e) => !/status of 503/.test(e)), []);
  consoleErrors.length = 0;
});

test('a HAR recorded by Chromium itself loads and draws as a recorded run; the page\'s own HAR loads back the same', async () => {
  // Chromium records a page that asks the dev server for 12 answers of 300 ms at once, on one port.
  const harPath = path.join(args.out, 'chromium-recorded.har');
  const recording = await browser.newContext({ recordHar: { path: harPath, content: 'omit' } });
  const rec = await recording.newPage();
  await rec.goto(`${dev.url}api/delay/1`);
  await rec.evaluate((base) => Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${base}api/delay/300?i=${i}`, { cache: 'no-store' }).then((r) => r.text()))), dev.url);
  await recording.close();
  const har = fs.readFileSync(harPath, 'utf8');
  await open('?lesson=limits');
  assert.equal(await page.evaluate(([t]) => window.playground.loadRunText('chromium-recorded.har', t), [har]), true);
  const shown = await page.evaluate(() => window.playground.shownRun());
  assert.equal(shown.path, 'recorded');
  assert.equal(shown.kind, 'recorded');
  assert.ok(shown.count >= 12, `the page and its 12 calls: ${shown.count}`);
  assert.ok(shown.notes.some((n) => /^Recorded elsewhere by Playwright/.test(n)), JSON.stringify(shown.notes));
  console.log(`# Chromium's HAR: ${shown.count} requests, ${Math.round(shown.wallMs)} ms; ${shown.notes.slice(1).join(' ')}`);
  await page.mouse.move(1, 1);
  await settled();
  await shot('har-recorded.png');
  // The page's own HAR of a run loads back: the same requests, times to the millisecond, outcomes.
  await page.evaluate(() => window.playground.run({ path: 'bounded', n: 9, latencyMs: 120, limit: 3, api: 'page' }));
  // (Each request's times from its CSV: request,scheduled_ms,started_ms,answered_ms,handled_ms,finished_ms,outcome,...)
  const rows = (csv) => csv.trim().split('\r\n').slice(1).map((line) => line.split(','));
  const before = rows(await page.evaluate(() => window.playground.exportRun('csv')));
  const own = await page.evaluate(() => window.playground.exportRun('har'));
  assert.equal(await page.evaluate(([t]) => window.playground.loadRunText('run.har', t), [own]), true);
  const back = await page.evaluate(() => window.playground.shownRun());
  assert.equal(back.count, 9);
  const after = rows(await page.evaluate(() => window.playground.exportRun('csv')));
  for (let i = 0; i < 9; i++) {
    // Loaded, a request starts when it was asked for (its queued time is the HAR's blocked) and ends as it did.
    assert.ok(Math.abs(Number(after[i][2]) - Number(before[i][1])) <= 1.01, `call ${i + 1} starts ${after[i][2]} vs ${before[i][1]}`);
    assert.ok(Math.abs(Number(after[i][5]) - Number(before[i][5])) <= 1.01, `call ${i + 1} ends ${after[i][5]} vs ${before[i][5]}`);
    assert.equal(after[i][6], before[i][6]);
  }
  // Dropped on the page, as a file from the desktop.
  await page.evaluate(([t]) => {
    const data = new DataTransfer();
    data.items.add(new File([t], 'dropped.har', { type: 'application/json' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [har]);
  await page.waitForFunction(() => window.playground.shownRun().loaded === 'dropped.har', null, { timeout: 5000 });
  // A damaged HAR is refused with its field; ?har= loads one from a link.
  assert.equal(await page.evaluate(() => window.playground.loadRunText('bad.har', '{"log": {"version": "1.2", "entries": [{"startedDateTime": "now"}]}}')), false);
  assert.match((await page.evaluate(() => window.playground.shownRun())).fileError, /bad\.har could not be loaded: log\.entries\[0\]\.startedDateTime: not a date and time/);
  await open(`?lesson=limits&har=${encodeURIComponent('data:application/json,' + encodeURIComponent(own))}`);
  await page.waitForFunction(() => window.playground.shownRun() && window.playground.shownRun().path === 'recorded', null, { timeout: 10000 });
  assert.equal((await page.evaluate(() => window.playground.shownRun())).count, 9);
  assert.deepEqual(consoleErrors, []);
});

// A Chrome trace as Perfetto reads it: events well-formed, each track's complete events nested in time.
function checkTrace(trace, what) {
  assert.ok(Array.isArray(trace.traceEvents), what);
  const spans = new Map();
  const names = new Map();
  for (const e of trace.traceEvents) {
    assert.equal(typeof e.name, 'string', what);
    assert.ok(['X', 'i', 'M'].includes(e.ph), `${what}: ${e.ph}`);
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), what);
    if (e.ph === 'M') {
      if (e.name === 'thread_name') names.set(e.tid, e.args.name);
      continue;
    }
    assert.ok(e.ts >= 0, `${what}: ${JSON.stringify(e)}`);
    if (e.ph === 'X') {
      assert.ok(e.dur >= 0, what);
      if (!spans.has(e.tid)) spans.set(e.tid, []);
      spans.get(e.tid).push([e.ts, e.ts + e.dur]);
    }
  }
  for (const [tid, list] of spans) {
    assert.ok(names.has(tid), `${what}: track ${tid} has a name`);
    list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const open = [];
    for (const [from, to] of list) {
      while (open.length && open[open.length - 1] <= from) open.pop();
      if (open.length) assert.ok(to <= open[open.length - 1], `${what}: on ${names.get(tid)}, ${from}-${to} crosses its parent's end`);
      open.push(to);
    }
  }
  return names;
}

test('real sockets: Resource Timing splits the stalled wait for a connection from the request', async () => {
  await open('?lesson=limits');
  const r = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 18, latencyMs: 300, api: 'server' }));
  assert.equal(r.ok, 18);
  await page.waitForTimeout(400);
  const stalled = await page.evaluate(() => window.playground.shownRun().stalledMs);
  // Three waves of 6: the last six waited about two latencies for a connection.
  const sorted = [...stalled].sort((a, b) => a - b);
  assert.ok(sorted[0] < 60, `the first wave went out at once: ${sorted.slice(0, 6)}`);
  assert.ok(sorted[17] > 450, `the last wave stalled for two waves: ${sorted.slice(12)}`);
  await shot('stalled.png');
  assert.deepEqual(consoleErrors, []);
});

test('10,000 requests run, draw and finish without a console error', async () => {
  await open('?lesson=wait-together');
  const r = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 10000, latencyMs: 500, api: 'simulated' }));
  assert.equal(r.ok, 10000);
  const frames = await page.evaluate(async () => {
    const t0 = performance.now();
    const f = await window.playground.drawFrames(30);
    return { ...f, fps: 30000 / (performance.now() - t0) };
  });
  console.log(`# 10,000 bars: ${frames.meanMs.toFixed(2)} ms of main thread a frame, ${frames.fps.toFixed(1)} frames a second`);
  await shot('ten-thousand.png');
  assert.deepEqual(consoleErrors, []);
});

test('2,000 requests to the dev server: the page holds what the browser would refuse, and each is answered', async () => {
  // Before, Chromium refused about 650 of them at once (net::ERR_INSUFFICIENT_RESOURCES). The page now gives
  // it at most 64 and holds the rest, which costs nothing: the browser sends 6 at a time anyway. A 60 s
  // timeout (the longest there is) so that even a slow machine answers all of them in time.
  await open('?lesson=limits');
  const r = await page.evaluate(() => window.playground.run({ path: 'retry_backoff', n: 2000, latencyMs: 10, api: 'server',
    timeoutMs: 60000, retries: 0 }));
  const failures = r.requests.filter((q) => q.outcome !== 'ok').map((q) => `${q.outcome}: ${q.reason}`);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed`);
  assert.equal(r.ok, 2000);
  // Still the browser's waves of 6: about 2000 / 6 latencies at least.
  assert.ok(r.wallMs > 333 * 10, `${r.wallMs} ms`);
  assert.deepEqual(consoleErrors, []);
});

test('durations of minutes and hours read as such', async () => {
  await open('?path=sequential&n=10000&latency=10000&api=simulated');
  const claim = (await page.evaluate(() => window.playground.lessonState())).claim;
  assert.match(claim, /= 27 h 47 min/, claim);
  await shot('hours.png');
  assert.deepEqual(consoleErrors, []);
});

test('the stepper drives the waterfall and the code; autoplay runs to the end; ?step= opens at a step (screenshots)', async () => {
  const stepper = () => page.evaluate(() => window.playground.stepper());
  // Lesson 3: three calls of 300 ms with 40 ms of CPU each on the simulated API.
  await open('?lesson=just-enough-asyncio');
  let ended = runEnds(1);
  await click('run');
  await ended;
  let s = await stepper();
  assert.equal(s.open, true, 'a loop lesson opens the stepper');
  assert.equal(s.step, 0);
  // Step forward through the run: the marker and the lit lines follow every step; at some step the loop
  // runs one call's CPU work while the other two answers wait in the ready queue.
  let busy = null;
  let before = -1;
  for (let k = 1; k < s.count; k++) {
    await click('stepper:forward');
    const now = await stepper();
    assert.equal(now.step, k);
    assert.equal(now.replayMs, now.atMs, 'the waterfall marker sits at the step');
    assert.ok(now.atMs >= before, 'steps move forward in time');
    assert.ok(now.what.length > 0);
    before = now.atMs;
    if (!busy && now.running === 1 && now.ready.join() === '2,3') {
      busy = now;
      assert.match(now.loop, /runs call 1's CPU work/);
      assert.ok(now.lit.cpu >= 1, `the CPU line is lit: ${JSON.stringify(now.lit)}`);
      await shot('stepper-lesson-03.png');
      busy.link = await page.evaluate(() => window.playground.permalink());
    }
  }
  assert.ok(busy, 'call 1 computes while 2 and 3 wait in the ready queue');
  assert.match(busy.link, new RegExp(`[?&]step=${busy.step + 1}(&|$)`), 'Copy link keeps the step');
  await click('stepper:back');
  s = await stepper();
  assert.equal(s.step, s.count - 2);
  assert.ok(s.replayMs <= before);
  // Back to the start (Home), then autoplay at real time: it reaches the last step and pauses there.
  for (let k = s.step; k > 0; k--) await click('stepper:back');
  assert.equal((await stepper()).step, 0);
  await click('stepper:play');
  // (Playing, or on a busy machine already at the end: autoplay keeps real time, frames or not.)
  const playing = await stepper();
  assert.ok(playing.playing || playing.step === playing.count - 1, JSON.stringify(playing));
  await page.waitForFunction(() => !window.playground.stepper().playing, null, { timeout: 10000 });
  s = await stepper();
  assert.equal(s.step, s.count - 1, 'autoplay stops at the end');
  assert.match(s.loop, /nothing left to do/);
  // The copied link reopens the same picture: it runs the lesson (simulated: the same events) and stops at
  // the same step.
  await page.goto(busy.link);
  await page.evaluate(() => window.playground.ready);
  await page.waitForFunction((k) => window.playground.stepper().step === k, busy.step, { timeout: 30000 });
  const again = await stepper();
  for (const key of ['step', 'count', 'atMs', 'what', 'loop', 'running', 'ready', 'network', 'queued', 'done', 'lit'])
    assert.deepEqual(again[key], busy[key], key);

  // Lesson 7 (a semaphore of 5 over 30 calls) opened at step 6 by its link: the picture of that step.
  // (The link starts the run the stepper follows by itself, once the page knows which APIs answer.)
  await page.addInitScript(() => {
    window.linkRuns = [];
    window.addEventListener('playground:run-ended', (e) => window.linkRuns.push(e.detail));
  });
  await open('?lesson=limits&step=6');
  await page.waitForFunction(() => window.linkRuns.length > 0, null, { timeout: 30000 });
  const linked = await page.evaluate(() => window.linkRuns);
  assert.equal(linked.length, 1);
  assert.equal(linked[0].api, 'page', 'the link\'s run waited for the in-page API');
  await settled();
  s = await stepper();
  assert.equal(s.open, true, '?step= opens the stepper');
  assert.equal(s.step, 5, '?step= counts from 1');
  assert.equal(s.replayMs, s.atMs);
  assert.ok(s.network.length + s.ready.length <= 5, 'at most 5 past the semaphore');
  assert.ok(s.queued.length > 0, 'the rest wait for a slot');
  await shot('stepper-lesson-07.png');

  // Lesson 9 through a thread pool of 4: the workers are drawn, each blocked in one call.
  await open('?lesson=blocking-the-loop&path=thread_pool');
  ended = runEnds(1);
  await click('run');
  await ended;
  if (!(await stepper()).open) await click('stepper');
  for (let k = 0; k < 3; k++) await click('stepper:forward');
  s = await stepper();
  assert.ok(s.workers.length >= 1 && s.workers.length <= 4, `workers: ${JSON.stringify(s)}`);
  assert.match(s.loop, /select|ready queue|CPU|nothing/);
  await shot('stepper-lesson-09.png');
  assert.deepEqual(consoleErrors, []);
});
