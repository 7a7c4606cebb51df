// What every browser test does with the page, once: wait until it has drawn, find a control it drew by
// name, click, type and drag at a person's pace (Dear ImGui 1.86 reads input once per frame, so an event
// between two frames would be lost, as it would for no human), wait for runs to end, collect console errors.
import assert from 'node:assert/strict';

// A new tab of `context` on the playground at `url`, once it is ready (its first frame, its APIs known).
export async function openPlayground(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.playground.ready);
  return page;
}

// Lets the page draw what the last action changed, as a person sees the screen before acting on it.
// `target`: a page or a frame.
export function settled(target, ms = 30) {
  return target.evaluate((wait) => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, wait)))), ms);
}

// Where the page last drew a named control (see FocusState::rects), after letting it draw.
export async function rectOf(target, name) {
  await settled(target);
  let r = await target.evaluate((n) => window.playground.widgetRect(n), name);
  assert.ok(r, `the page shows no control named ${name}`);
  // Scrolled out of its column's view (a long lesson): scrolled back in, as a learner would.
  if (r.shown === false) r = await target.evaluate((n) => window.playground.revealWidget(n), name);
  return r;
}

// Move, press, release over the centre of a control, a frame's worth apart. `offset`: where the target's
// viewport sits in the page's (a frame's box), for a control inside an iframe.
export async function click(page, name, { target = page, offset = { x: 0, y: 0 } } = {}) {
  const r = await rectOf(target, name);
  await page.mouse.move(offset.x + r.x + r.w / 2, offset.y + r.y + r.h / 2);
  await page.waitForTimeout(50);
  await page.mouse.down();
  await page.waitForTimeout(50);
  await page.mouse.up();
  await page.waitForTimeout(80);
}

// Replaces a number field's text: click its text box (the left part of the control; its -/+ buttons and
// label are on the right), select all, type, Enter.
export async function typeInto(page, name, value) {
  const r = await rectOf(page, name);
  await page.mouse.click(r.x + 12, r.y + r.h / 2);
  await page.waitForTimeout(80);
  await page.keyboard.down('Control');
  await page.keyboard.down('a');
  await page.waitForTimeout(50);
  await page.keyboard.up('a');
  await page.keyboard.up('Control');
  await page.waitForTimeout(50);
  await page.keyboard.type(String(value), { delay: 40 });
  await page.waitForTimeout(50);
  await page.keyboard.press('Enter', { delay: 40 });
  await page.waitForTimeout(80);
}

// A press at `from`, a move to `to` in steps a person's hand would make, a release.
export async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.waitForTimeout(50);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) {
    await page.mouse.move(from.x + (to.x - from.x) * k / 8, from.y + (to.y - from.y) * k / 8);
    await page.waitForTimeout(30);
  }
  await page.mouse.up();
  await page.waitForTimeout(80);
}

// The results of the next `count` runs to end (window.playground's 'playground:run-ended' events).
export function runEnds(target, count = 1, timeoutMs = 90000) {
  return target.evaluate(([k, limit]) => new Promise((resolve, reject) => {
    const results = [];
    const on = (e) => {
      results.push(e.detail);
      if (results.length === k) {
        window.removeEventListener('playground:run-ended', on);
        resolve(results);
      }
    };
    window.addEventListener('playground:run-ended', on);
    setTimeout(() => reject(new Error(`only ${results.length} of ${k} runs ended within ${limit / 1000} s: did the click reach its control?`)), limit);
  }), [count, timeoutMs]);
}

// The result of the next run to end.
export async function nextRunEnd(target, timeoutMs = 60000) {
  return (await runEnds(target, 1, timeoutMs))[0];
}

// Collects the page's console errors and uncaught exceptions; `allow(text)` may excuse some.
export function watchConsole(page, allow = () => false) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !allow(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

// Waits until Python's memory is kept (made in the background once nothing runs): its record and the memory
// itself in Cache Storage. (waitForFunction does not wait for a promise a predicate returns: polled here.)
export async function memoryKept(page, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const kept = await page.evaluate(() => caches.open('asyncplay-python').then((c) => c.keys()).then((k) =>
      k.length === 1 && localStorage.getItem('asyncplay.python-memory') !== null));
    if (kept) return;
    if (Date.now() > until) throw new Error(`Python's memory was not kept within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(200);
  }
}
