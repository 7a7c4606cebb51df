// The page under abuse that a class can produce in an afternoon: a storm of runs started and cancelled
// across the three APIs (nothing may stay open, in the page, the browser or the dev server), and a soak of
// hundreds of runs (the heap comes back to where it was once the history is cleared). Figures are printed
// for the closing notes; any console error fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchChromium, startDevServer, parseArgs } from '../tools/browser.mjs';
import * as helpers from './helpers.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', out: 'build/screenshots' });

let dev, browser, page;
const consoleErrors = [];

before(async () => {
  dev = await startDevServer(path.resolve(args.web));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  await page.goto(`${dev.url}index.html?lesson=limits`);
  await page.evaluate(() => window.playground.ready);
});

after(async () => {
  await browser?.close();
  await dev?.close();
});

// Polls until cond() holds, at most `ms`; returns whether it did.
async function eventually(cond, ms) {
  for (const t0 = Date.now(); Date.now() - t0 < ms;) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

test('a storm of 300 starts and cancels across the APIs leaves nothing open and every promise settled', async () => {
  const t0 = Date.now();
  const storm = await page.evaluate(async () => {
    const apis = ['page', 'server', 'simulated'];
    const paths = ['concurrent', 'sequential', 'bounded', 'retry_backoff', 'as_completed', 'thread_pool', 'await_in_loop'];
    const runs = [];
    let peakFetches = 0;
    for (let i = 0; i < 300; i++) {
      const options = { path: paths[i % paths.length], n: 10 + (i % 9) * 25, latencyMs: 100 + (i % 5) * 50, api: apis[i % 3] };
      if (i % 10 === 0) options.cpuMs = 5;   // answers waiting for their CPU work are dropped too
      if (i % 15 === 0) options.n = 1500;    // beyond what the page gives the browser at once
      runs.push(window.playground.run(options).then((r) => r.state, (e) => `rejected: ${e.message}`));
      await new Promise((r) => setTimeout(r, (i * 7) % 23));  // 0-22 ms: some runs get answers, most none
      peakFetches = Math.max(peakFetches, window.playground.openRequests().fetches);
      if (i % 3 === 1) await window.playground.cancel();     // the others are cancelled by the next start
    }
    await window.playground.cancel();
    const states = await Promise.all(runs);
    const count = {};
    for (const s of states) count[s] = (count[s] || 0) + 1;
    return { count, peakFetches, open: window.playground.openRequests() };
  });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`# cancel storm: 300 runs in ${seconds.toFixed(1)} s, ${JSON.stringify(storm.count)}, at most ${storm.peakFetches} fetches open at once; after: ${JSON.stringify(storm.open)}`);
  assert.equal((storm.count.cancelled || 0) + (storm.count.finished || 0), 300, JSON.stringify(storm.count));
  assert.ok(storm.count.cancelled > 250, 'nearly every run was cancelled');
  assert.deepEqual(storm.open, { running: false, inFlight: 0, fetches: 0, held: 0, cpuQueue: 0 });
  // The dev server lets go of every aborted request's connection.
  assert.ok(await eventually(() => dev.server.held.count === 0, 5000), `${dev.server.held.count} answers still held by the dev server`);
  // And the page still works: a run after the storm is whole.
  const after = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 20, latencyMs: 100, api: 'server' }));
  assert.equal(after.ok, 20);
  assert.deepEqual(consoleErrors, []);
});

test('a soak of 300 runs: the heap comes back to where it was once the history is cleared', async () => {
  const batch = (count, from) => page.evaluate(async ([k, start]) => {
    const apis = ['simulated', 'page', 'server'];
    const paths = ['concurrent', 'sequential', 'bounded', 'retry_backoff', 'as_completed', 'task_group', 'pool_limit'];
    let whole = 0;
    for (let i = start; i < start + k; i++) {
      const r = await window.playground.run({ path: paths[i % paths.length], n: 10, latencyMs: 5, api: apis[i % 3] });
      if (r.state === 'finished' && r.ok === 10) whole++;
    }
    await window.playground.drawFrames(5);
    return whole;
  }, [count, from]);
  const clearedHeap = async () => {
    await helpers.click(page, 'history:clear');
    await page.evaluate(() => window.playground.drawFrames(5));
    return page.evaluate(() => window.playground.heapBytes());
  };
  assert.equal(await batch(30, 0), 30, 'warm-up runs whole');
  const h0 = await clearedHeap();
  const t0 = Date.now();
  assert.equal(await batch(150, 30), 150, 'every soak run whole');
  const h1 = await clearedHeap();
  assert.equal(await batch(150, 180), 150, 'every soak run whole');
  const seconds = (Date.now() - t0) / 1000;
  const full = await page.evaluate(() => window.playground.heapBytes());
  const h2 = await clearedHeap();
  const rows = await page.evaluate(() => document.querySelectorAll('#history tbody tr').length);
  console.log(`# soak: 300 runs in ${seconds.toFixed(1)} s; heap ${(h0 / 1024).toFixed(0)} KB after clearing, ` +
              `${(h1 / 1024).toFixed(0)} KB after 150 runs and clearing, ${(full / 1024).toFixed(0)} KB with 150 more in the history, ` +
              `${(h2 / 1024).toFixed(0)} KB after clearing again (${(h2 / h0).toFixed(3)} x); screen-reader table ${rows} rows`);
  // What a run leaves behind beyond its history entry grows with every batch; what the first batch of a busy
  // machine grows once (a buffer's larger capacity, the allocator's layout) does not. So the second batch of
  // 150 must leave no more than 8 KB (50 bytes a run), whatever the first left.
  assert.ok(h2 - h1 < 8 * 1024, `the heap grew by ${h2 - h1} bytes over the second 150 runs (${h1 - h0} over the first)`);
  assert.ok(rows <= 200, `the screen-reader table keeps the newest 200 rows, has ${rows}`);
  assert.deepEqual(consoleErrors, []);
});
