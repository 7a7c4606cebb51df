// The playground as a teacher embeds it and as learners reach it: inside an iframe of a course page served
// from a sub-path of a plain static host, talking to that page through postMessage (and ignoring pages of
// other origins); on a phone with touch; by keyboard alone; at device pixel ratio 2 and 3; in the light and
// the dark theme. Screenshots go to --out; any console error fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { launchChromium, startDevServer, parseArgs } from '../tools/browser.mjs';
import { settled, rectOf, click } from './helpers.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', out: 'build/screenshots' });
fs.mkdirSync(args.out, { recursive: true });

let dev, browser, staticRoot, staticServer, staticOrigin;

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => resolve(p)); });
  });
}

// A course site on Python's http.server: the build under /course/week-3/playground/, and course pages
// written by the tests under /course/week-3/.
before(async () => {
  dev = await startDevServer(path.resolve(args.web));
  browser = await launchChromium();
  staticRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'course-'));
  const sub = path.join(staticRoot, 'course', 'week-3', 'playground');
  fs.mkdirSync(sub, { recursive: true });
  for (const f of fs.readdirSync(args.web)) {
    if (/\.(html|js|mjs|wasm|css)$/.test(f)) fs.copyFileSync(path.join(args.web, f), path.join(sub, f));
  }
  fs.cpSync(path.join(args.web, 'python'), path.join(sub, 'python'), { recursive: true });  // the learner's Python
  const port = await freePort();
  staticServer = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', staticRoot], { stdio: 'ignore' });
  staticOrigin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', function () { this.end(); resolve(); }).once('error', reject));
      break;
    } catch (e) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

after(async () => {
  await browser?.close();
  await dev?.close();
  staticServer?.kill();
});

// The example host page of web/, with its iframe pointed at `src`, written as a course page.
function writeHostPage(name, src) {
  const html = fs.readFileSync(path.join(args.web, 'host-example.html'), 'utf8')
    .replace(/src="index\.html\?[^"]*"/, `src="${src.replace(/&/g, '&amp;')}"`);
  assert.ok(html.includes(src.replace(/&/g, '&amp;')), 'the example host page has an iframe to point elsewhere');
  fs.writeFileSync(path.join(staticRoot, 'course', 'week-3', name), html);
  return `${staticOrigin}/course/week-3/${name}`;
}

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { context, page, errors };
}

// A course page on the static host with the playground in its iframe, opened and ready: the page, its
// 'ready' event, and the playground's frame.
async function openCoursePage(name, src) {
  const opened = await newPage();
  await opened.page.goto(writeHostPage(name, src));
  const ready = await waitForHostEvent(opened.page, 'ready');
  const inner = opened.page.frames().find((f) => f.url().includes('/playground/index.html'));
  return { ...opened, ready, inner };
}

// Host-page events received so far, of one type.
function hostEvents(page, type) {
  return page.evaluate((t) => window.asyncplayEvents.filter((e) => e.type === t), type);
}
async function waitForHostEvent(page, type, count = 1) {
  for (let i = 0; i < 300; i++) {
    const found = await hostEvents(page, type);
    if (found.length >= count) return found[count - 1];
    await page.waitForTimeout(50);
  }
  throw new Error(`the host page got no ${type} event within 15 s`);
}

test('embedded under a sub-path of a static host: events reach the course page and its buttons drive the playground', async () => {
  const { context, page, errors, ready, inner } = await openCoursePage('index.html', 'playground/index.html?embed=1&lesson=wait-together');
  assert.equal(ready.lesson.id, 'wait-together');
  assert.equal(ready.lesson.number, 4);
  const { apis } = await inner.evaluate(() => window.playground.ready);
  assert.equal(apis.page.ready, true, `the in-page API under the sub-path: ${apis.page.note}`);
  assert.equal(apis.page.base, `${staticOrigin}/course/week-3/playground/inpage`);

  // A person clicks the course page's buttons; the playground follows and reports back.
  await page.click('#show-mistake');
  const lesson = await waitForHostEvent(page, 'lesson');
  assert.equal(lesson.lesson.id, 'the-mistake');
  assert.equal(await inner.evaluate(() => window.playground.lessonState().id), 'the-mistake');
  await page.click('#run-ten');
  const finished = await waitForHostEvent(page, 'run-finished');
  assert.equal(finished.id, 'run-ten', 'the reply names the command');
  assert.equal(finished.result.path, 'concurrent');
  assert.equal(finished.result.ok, 10);
  assert.ok(finished.result.wallMs >= 200 && finished.result.wallMs < 600, `${finished.result.wallMs}`);
  assert.match(await page.textContent('#log'), /10 requests, concurrent/);

  // A run the learner starts inside the frame is reported too; a bad command gets an error event.
  const canvas = await inner.evaluate(() => { const r = document.getElementById('canvas').getBoundingClientRect(); return { x: r.left, y: r.top }; });
  const frameBox = await page.locator('#playground').boundingBox();
  const run = await rectOf(inner, 'run');
  await page.mouse.click(frameBox.x + canvas.x + run.x + run.w / 2, frameBox.y + canvas.y + run.y + run.h / 2, { delay: 60 });
  await waitForHostEvent(page, 'run-finished', 2);
  await page.evaluate(() => document.getElementById('playground').contentWindow.postMessage({ target: 'asyncplay', type: 'explode', id: 7 }, location.origin));
  const error = await waitForHostEvent(page, 'error');
  assert.equal(error.id, 7);
  assert.match(error.message, /unknown command "explode"/);
  await page.evaluate(() => document.getElementById('playground').contentWindow.postMessage({ target: 'asyncplay', type: 'set-lesson', lesson: 'nope', id: 8 }, location.origin));
  assert.match((await waitForHostEvent(page, 'error', 2)).message, /no lesson nope/);
  await page.screenshot({ path: path.join(args.out, 'host-api.png') });
  await context.close();
  assert.deepEqual(errors, []);
});

test('a course page of another origin is heard only when the link names its origin', async () => {
  // The course on the static host, the playground on the dev server: two origins.
  const playground = `${dev.url}index.html?embed=1&lesson=limits`;
  const deaf = writeHostPage('other-origin.html', playground);
  const { context, page, errors } = await newPage();
  await page.goto(deaf);
  const inner = () => page.frames().find((f) => f.url().startsWith(dev.url));
  await page.waitForFunction(() => true);
  for (let i = 0; i < 100 && !inner(); i++) await page.waitForTimeout(50);
  await inner().evaluate(() => window.playground.ready);
  await page.click('#show-mistake');
  await page.waitForTimeout(800);
  assert.equal(await inner().evaluate(() => window.playground.lessonState().id), 'limits', 'a command from an origin not named is ignored');
  assert.deepEqual(await page.evaluate(() => window.asyncplayEvents), [], 'and events are not posted to it');

  const heard = writeHostPage('named-origin.html', `${playground}&origin=${encodeURIComponent(staticOrigin)}`);
  await page.goto(heard);
  await waitForHostEvent(page, 'ready');
  await page.click('#show-mistake');
  assert.equal((await waitForHostEvent(page, 'lesson')).lesson.id, 'the-mistake');

  // A malformed origin is explained on the page and changes nothing.
  const bad = writeHostPage('bad-origin.html', `${playground}&origin=${encodeURIComponent('course.example/*')}`);
  await page.goto(bad);
  for (let i = 0; i < 100 && !inner(); i++) await page.waitForTimeout(50);
  await inner().evaluate(() => window.playground.ready);
  await settled(inner());
  const notes = await inner().evaluate(() => window.playground.lessonState().notes);
  assert.ok(notes.some((n) => /origin=course\.example\/\* is not an origin/.test(n)), JSON.stringify(notes));
  await context.close();
  assert.deepEqual(errors, []);
});

test('compact embed mode fits a 480 x 360 iframe, and "Copy embed code" gives the iframe for this state', async () => {
  const { context, page, errors } = await newPage({ viewport: { width: 480, height: 360 } });
  await page.goto(`${dev.url}?embed=1&lesson=limits&n=12`);
  await page.evaluate(() => window.playground.ready);
  for (const name of ['tab:lesson', 'tab:run', 'run', 'copy-embed']) {
    const r = await rectOf(page, name);
    assert.ok(r.x >= 0 && r.x + r.w <= 480 && r.y >= 0 && r.y + r.h <= 360, `${name} is inside 480 x 360: ${JSON.stringify(r)}`);
  }
  const r = await rectOf(page, 'copy-embed');
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2, { delay: 60 });
  await page.waitForTimeout(150);
  const code = await page.evaluate(() => window.playground.lastEmbed);
  assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?lesson=limits&amp;n=12&amp;embed=1" title="Async API playground"/);
  await page.screenshot({ path: path.join(args.out, 'embed-480x360.png') });
  await context.close();
  assert.deepEqual(errors, []);
});

// Touch through the DevTools protocol: Playwright has tap() but no drag or pinch.
async function touch(page, cdp, type, points) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  await page.waitForTimeout(40);
}

test('on a phone: a tap runs, a finger drag scrolls, a pinch zooms the timeline', async () => {
  const { context, page, errors } = await newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  await page.goto(`${dev.url}?lesson=limits`);
  await page.evaluate(() => window.playground.ready);
  const ended = page.evaluate(() => new Promise((resolve) => window.addEventListener('playground:run-ended', (e) => resolve(e.detail), { once: true })));
  const run = await rectOf(page, 'run');
  await page.touchscreen.tap(run.x + run.w / 2, run.y + run.h / 2);
  const result = await ended;
  assert.equal(result.path, 'bounded');
  assert.equal(result.ok, 30);
  await settled(page);
  assert.ok(await page.evaluate(() => window.playground.widgetRect('waterfall')), 'a run on a phone shows its results tab');
  await page.screenshot({ path: path.join(args.out, 'phone-run.png') });

  const cdp = await context.newCDPSession(page);
  // Pinch: two fingers spreading over the waterfall.
  const wf = await rectOf(page, 'waterfall');
  const cx = wf.x + wf.w / 2, cy = wf.y + wf.h / 2;
  await touch(page, cdp, 'touchStart', [[cx - 30, cy], [cx + 30, cy]]);
  for (let d = 40; d <= 150; d += 10) await touch(page, cdp, 'touchMove', [[cx - d, cy], [cx + d, cy]]);
  await touch(page, cdp, 'touchEnd', []);
  await settled(page);
  const zoom = await page.evaluate(() => window.playground.lessonState().zoom);
  assert.ok(zoom > 1.2, `a pinch zooms the timeline: ${zoom}`);

  // Drag: the code tab's lines move up under a finger moving up.
  const tab = await rectOf(page, 'tab:code');
  await page.touchscreen.tap(tab.x + tab.w / 2, tab.y + tab.h / 2);
  const before = await rectOf(page, 'code-line:wait');
  const x = 180, y0 = 560;
  await touch(page, cdp, 'touchStart', [[x, y0]]);
  for (let y = y0 - 10; y >= y0 - 60; y -= 10) await touch(page, cdp, 'touchMove', [[x, y]]);
  await touch(page, cdp, 'touchEnd', []);
  const afterDrag = await rectOf(page, 'code-line:wait');
  // It follows the finger (60 px, less the few pixels that tell a drag from a tap).
  assert.ok(afterDrag.y <= before.y - 40 && afterDrag.y >= before.y - 62, `the code scrolled under the finger: ${before.y} -> ${afterDrag.y}`);
  await page.screenshot({ path: path.join(args.out, 'phone-code.png') });
  await context.close();
  assert.deepEqual(errors, []);
});

test('by keyboard alone: Tab reaches the controls, Enter runs, Tab leaves for the host page', async () => {
  const { context, page, errors, inner } = await openCoursePage('keyboard.html', 'playground/index.html?embed=1&lesson=wait-together');
  const press = async (key) => {
    await page.keyboard.down(key);
    await page.waitForTimeout(60);
    await page.keyboard.up(key);
    await page.waitForTimeout(60);
  };
  await page.click('#notes');
  await press('Tab');  // the two course buttons, then the playground
  await press('Tab');
  await press('Tab');
  assert.equal(await inner.evaluate(() => document.activeElement && document.activeElement.id), 'canvas');
  await press('Tab');
  const focus = () => inner.evaluate(() => window.playground.lessonState().focus);
  assert.notEqual(await focus(), '', 'the first Tab inside lands on a control');
  for (let i = 0; i < 40 && (await focus()) !== 'run'; i++) await press('Tab');
  assert.equal(await focus(), 'run');
  await settled(inner);
  await page.screenshot({ path: path.join(args.out, 'keyboard-focus.png') });
  await press('Enter');
  const finished = await waitForHostEvent(page, 'run-finished');
  assert.equal(finished.result.path, 'concurrent');
  // Open All settings from the keyboard: Tab to its header, Enter, and the ring goes on into its controls.
  for (let i = 0; i < 40 && (await focus()) !== 'settings'; i++) await press('Tab');
  assert.equal(await focus(), 'settings');
  await press('Enter');
  await press('Tab');
  await press('Tab');
  assert.match(await focus(), /^(settings:|path:|api)/, 'Tab goes on into the settings');
  await settled(inner);
  await page.screenshot({ path: path.join(args.out, 'keyboard-settings.png') });
  // On to the last control, then out of the frame and back to the host page.
  let left = false;
  for (let i = 0; i < 200 && !left; i++) {
    await press('Tab');
    left = await inner.evaluate(() => document.activeElement !== document.getElementById('canvas'));
  }
  assert.ok(left, 'Tab leaves the playground after its last control (no keyboard trap)');
  await context.close();
  assert.deepEqual(errors, []);
});

test('the theme follows the system unless the link sets it; text is crisp at DPR 2 and 3', async () => {
  for (const [scheme, query, expected] of [['dark', '', 'dark'], ['light', '', 'light'], ['light', '&theme=dark', 'dark'], ['dark', '&theme=light', 'light']]) {
    const { context, page, errors } = await newPage({ colorScheme: scheme });
    await page.goto(`${dev.url}?lesson=limits${query}`);
    await page.evaluate(() => window.playground.ready);
    assert.equal(await page.evaluate(() => window.playground.lessonState().theme), expected, `${scheme} system, link "${query}"`);
    await context.close();
    assert.deepEqual(errors, []);
  }
  // The system's setting changes while the page is open: the page follows.
  const { context, page } = await newPage({ colorScheme: 'dark' });
  await page.goto(`${dev.url}?lesson=limits`);
  await page.evaluate(() => window.playground.ready);
  await page.evaluate(() => window.playground.run({ path: 'bounded', n: 30, latencyMs: 100, limit: 5, api: 'page' }));
  await settled(page);
  await page.screenshot({ path: path.join(args.out, 'dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.playground.lessonState().theme), 'light');
  await settled(page);
  await page.screenshot({ path: path.join(args.out, 'light.png') });
  await context.close();

  for (const dpr of [2, 3]) {
    const { context: c, page: p, errors } = await newPage({ viewport: { width: 900, height: 600 }, deviceScaleFactor: dpr });
    await p.goto(`${dev.url}?lesson=limits`);
    await p.evaluate(() => window.playground.ready);
    const size = await p.evaluate(() => ({ w: document.getElementById('canvas').width, h: document.getElementById('canvas').height }));
    assert.deepEqual(size, { w: 900 * dpr, h: 600 * dpr }, 'the canvas has a pixel per device pixel');
    await settled(p);
    await p.screenshot({ path: path.join(args.out, `dpr-${dpr}.png`), clip: { x: 0, y: 0, width: 450, height: 300 } });
    await c.close();
    assert.deepEqual(errors, []);
  }
});

test('every size, both themes: no control or text is cut off, in any tab (a screenshot each)', async () => {
  const sizes = [[480, 360, true], [800, 600, false], [390, 844, false], [1280, 800, false], [1920, 1080, false]];
  for (const [width, height, embed] of sizes) {
    for (const theme of ['light', 'dark']) {
      const { context, page, errors } = await newPage({ viewport: { width, height } });
      await page.goto(`${dev.url}?lesson=limits&n=12&latency=100&api=simulated&theme=${theme}${embed ? '&embed=1' : ''}`);
      await page.evaluate(() => window.playground.ready);
      await page.evaluate(() => window.playground.run({ path: 'bounded', n: 12, latencyMs: 100, limit: 5, api: 'simulated' }));
      const narrow = (await page.evaluate(() => window.playground.widgetRect('tab:lesson'))) !== null;
      const views = narrow ? ['tab:lesson', 'tab:code', 'tab:run', 'tab:race', 'tab:scaling', 'tab:history']
        : ['view:run', 'view:race', 'view:scaling', 'settings'];
      for (const view of views) {
        await click(page, view);
        await settled(page);
        const check = await page.evaluate(() => window.playground.layoutCheck());
        const where = `${width} x ${height} ${theme}, ${view}`;
        assert.deepEqual(check.clipped, [], `${where}: cut off`);
        assert.deepEqual(check.duplicates, [], `${where}: names given twice`);
        if (view === views[narrow ? 2 : 0]) await page.screenshot({ path: path.join(args.out, `size-${width}x${height}-${theme}.png`) });
      }
      await context.close();
      assert.deepEqual(errors, [], `${width} x ${height} ${theme}`);
    }
  }
});

test('the host page sets and runs the learner\'s program; from a static host its blocking calls work too', async () => {
  // (A plain static host sends no headers: the program's sealed frame and its blocking calls need none.)
  const { context, page, errors, inner } = await openCoursePage('python.html', 'playground/index.html?embed=1&lesson=wait-together');
  const source = 'import requests\nBASE = ""\nfor i in range(2):\n    print(requests.get(f"{BASE}/api/delay/100?i={i}").json()["delay_ms"])\n';
  await page.evaluate((s) => document.querySelector('iframe').contentWindow.postMessage({ target: 'asyncplay', type: 'set-program', id: 'p1', source: s }, '*'), source);
  await waitForHostEvent(page, 'program-set');
  await inner.waitForFunction((s) => window.playground.editorText === s, source, { timeout: 20000 });
  await page.evaluate((s) => document.querySelector('iframe').contentWindow.postMessage(
    { target: 'asyncplay', type: 'run-program', id: 'p2', source: s, options: { api: 'page' } }, '*'), source);
  const done = await waitForHostEvent(page, 'program-finished');
  assert.equal(done.id, 'p2');
  assert.equal(done.result.error, null, JSON.stringify(done.result.error));
  assert.equal(done.result.stdout, '100\n100\n');
  assert.equal(done.result.api, 'page', 'the in-page API under the static host\'s sub-path');
  assert.ok(done.result.requests[1].startMs >= done.result.requests[0].endMs, 'requests.get blocks: one after the other');
  await context.close();
  assert.deepEqual(errors, []);
});

test('the course page hears the learner\'s progress live: a failed try, then a pass, and the whole list on get-progress', async () => {
  const { context, page, errors, inner, ready } = await openCoursePage('progress.html', 'playground/index.html?embed=1&lesson=limits');
  assert.equal(ready.lesson.path, 'bounded');
  assert.deepEqual(ready.lesson.exercise.checks, ['requests == 30', 'in_flight <= 5', 'in_flight >= 5', 'wall < 8 * latency'], 'the lesson\'s exercise, as the host hears it');
  // The example page asks for the list when the playground is ready, and shows it.
  const list = await waitForHostEvent(page, 'progress-list');
  assert.equal(list.lessons.length, 10);
  assert.ok(list.lessons.every((l) => l.status === 'not tried'));
  const ex = await inner.evaluate(() => window.playground.exercise());
  const runProgram = (source, id) => page.evaluate(([s, i]) => document.querySelector('iframe').contentWindow.postMessage(
    { target: 'asyncplay', type: 'run-program', id: i, source: s, options: { api: 'page' } }, '*'), [source, id]);
  await runProgram(ex.starter, 'starter');
  const failed = await waitForHostEvent(page, 'progress');
  assert.equal(failed.lesson, 'limits');
  assert.equal(failed.status, 'ran');
  assert.deepEqual(failed.checks.map((c) => c.passed), [true, false, true, true], JSON.stringify(failed.checks));
  assert.match(failed.checks[1].measured, /at most 30 in flight at once/);
  await runProgram(ex.solution, 'solution');
  const passed = await waitForHostEvent(page, 'progress', 2);
  assert.equal(passed.status, 'passed', JSON.stringify(passed.checks));
  assert.ok(passed.checks.every((c) => c.passed));
  const row = page.locator('#progress tbody tr', { hasText: 'Limits' });
  assert.equal(await row.locator('td').nth(1).textContent(), 'passed');
  assert.match(await row.locator('td').nth(2).textContent(), /in_flight <= 5 \(at most 5 in flight at once\)/);
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ target: 'asyncplay', type: 'get-progress', id: 'again' }, '*'));
  const again = await waitForHostEvent(page, 'progress-list', 2);
  assert.equal(again.id, 'again');
  const limits = again.lessons.find((l) => l.lesson === 'limits');
  assert.equal(limits.status, 'passed');
  assert.match(limits.passed.program, /Semaphore\(5\)/, 'the learner\'s passing program, for the course to keep');
  // The run the learner passed with, as HAR, for the course's own tools.
  const post = (m) => page.evaluate((c) => document.querySelector('iframe').contentWindow.postMessage({ target: 'asyncplay', ...c }, '*'), m);
  await post({ type: 'export-run', id: 'har', format: 'har' });
  const exported = await waitForHostEvent(page, 'run-exported');
  assert.equal(exported.id, 'har');
  assert.equal(JSON.parse(exported.text).log.entries.length, 30);
  await post({ type: 'export-run', id: 'bad', format: 'xml' });
  assert.match((await waitForHostEvent(page, 'error')).message, /"xml" is not a format/);
  await page.locator('#progress').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(args.out, 'host-progress.png'), fullPage: true });
  await context.close();
  assert.deepEqual(errors, []);
});

test('embedded in another site\'s page, the learner\'s own Python runs, its blocking calls too', async () => {
  const courseOrigin = staticOrigin.replace('127.0.0.1', 'localhost');
  const playground = `${dev.url}index.html?embed=1&lesson=wait-together&origin=${encodeURIComponent(courseOrigin)}`;
  const host = writeHostPage('other-site-python.html', playground).replace(staticOrigin, courseOrigin);
  const { context, page, errors } = await newPage();
  await page.goto(host);
  await waitForHostEvent(page, 'ready');
  const inner = page.frames().find((f) => f.url().startsWith(dev.url));
  const gather = await inner.evaluate(() => window.playground.runProgram([
    'import asyncio, httpx', 'BASE = ""', 'async def main():', '    async with httpx.AsyncClient() as c:',
    '        await asyncio.gather(*(c.get(f"{BASE}/api/delay/200?i={i}") for i in range(5)))', 'asyncio.run(main())'].join('\n'), { api: 'page' }));
  assert.equal(gather.error, null, JSON.stringify(gather.error));
  assert.equal(gather.api, 'simulated', 'no in-page API in a third-party frame: simulated, as the page says');
  assert.equal(gather.ok, 5);
  const blocking = await inner.evaluate(() => window.playground.runProgram(
    'import requests\nBASE = ""\nfor i in range(2):\n    requests.get(f"{BASE}/api/delay/100?i={i}")\n', { api: 'page' }));
  assert.equal(blocking.error, null, JSON.stringify(blocking.error));
  assert.equal(blocking.ok, 2);
  assert.ok(blocking.requests[1].startMs >= blocking.requests[0].endMs, 'requests.get blocks: one after the other');
  await context.close();
  assert.deepEqual(errors, []);
});

test('embedded in another site\'s page: the in-page API is refused, the page says so in every view and offers a tab of its own', async () => {
  // The course on http://localhost:<port>, the playground on http://127.0.0.1:<port>: two sites, so the
  // browser treats the playground as a third party and refuses it a service worker.
  const courseOrigin = staticOrigin.replace('127.0.0.1', 'localhost');
  const playground = `${dev.url}index.html?embed=1&lesson=limits&n=12&origin=${encodeURIComponent(courseOrigin)}`;
  const host = writeHostPage('other-site.html', playground).replace(staticOrigin, courseOrigin);
  const { context, page, errors } = await newPage();
  await page.goto(host);
  const ready = await waitForHostEvent(page, 'ready');
  assert.equal(ready.lesson.id, 'limits');
  const inner = page.frames().find((f) => f.url().startsWith(dev.url));
  const apis = await inner.evaluate(() => window.playground.apis);
  assert.equal(apis.page.ready, false);
  assert.equal(apis.page.blocked, true, apis.page.note);
  // Every view shows why, with a way out.
  // The frame's size decides the layout: tabs on a narrow page, view buttons on a wide one.
  const narrow = await inner.evaluate(() => Boolean(window.playground.widgetRect('tab:lesson')));
  const views = narrow ? ['tab:lesson', 'tab:code', 'tab:run', 'tab:race', 'tab:scaling', 'tab:history']
                       : ['view:run', 'view:race', 'view:scaling'];
  for (const view of views) {
    const tab = await rectOf(inner, view);
    const box = await (await inner.frameElement()).boundingBox();
    await page.mouse.click(box.x + tab.x + tab.w / 2, box.y + tab.y + tab.h / 2, { delay: 60 });
    await settled(inner);
    assert.ok(await inner.evaluate(() => window.playground.widgetRect('open-in-tab')), `${view} offers a tab of its own`);
  }
  // A host's run asked of the in-page API comes back simulated, and says why.
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage(
    { target: 'asyncplay', type: 'run', id: 7, options: { path: 'concurrent', n: 5, latencyMs: 100, api: 'page' } }, '*'));
  const finished = await waitForHostEvent(page, 'run-finished');
  assert.equal(finished.id, 7);
  assert.equal(finished.result.api, 'simulated');
  assert.ok(finished.result.notes.some((n) => /another site.s page/.test(n)), JSON.stringify(finished.result.notes));
  // The button opens the playground where it has real requests: its own tab, on its own site.
  const popup = context.waitForEvent('page');
  const open = await rectOf(inner, 'open-in-tab');
  const box = await (await inner.frameElement()).boundingBox();
  await page.mouse.click(box.x + open.x + open.w / 2, box.y + open.y + open.h / 2, { delay: 60 });
  const tab = await popup;
  await tab.waitForLoadState();
  assert.ok(tab.url().startsWith(dev.url) && tab.url().includes('lesson=limits') && !tab.url().includes('embed=1'), tab.url());
  await tab.evaluate(() => window.playground.ready);
  assert.equal((await tab.evaluate(() => window.playground.apis)).page.ready, true, 'in its own tab the in-page API serves');
  await page.bringToFront();
  await page.screenshot({ path: path.join(args.out, 'cross-site-embed.png') });
  await context.close();
  assert.deepEqual(errors, []);
});
