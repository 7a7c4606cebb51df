// tools/bench: figures, printed; nothing here passes or fails. Compare as ratios within one run, since
// the machine is shared and noisy. Targets are printed beside each figure.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launchChromium, startDevServer, parseArgs } from './browser.mjs';

const args = parseArgs(process.argv.slice(2), { web: 'build/web-release', runs: '5' });
const runs = Math.max(1, Number(args.runs) || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');

console.log('== Bundle');
let gzTotal = 0;
for (const f of ['index.wasm', 'index.js', 'index.html', 'playground.js', 'sw.js', 'style.css']) {
  const p = path.join(args.web, f);
  if (!fs.existsSync(p)) continue;
  const raw = fs.readFileSync(p);
  const gz = zlib.gzipSync(raw, { level: 9 }).length;
  if (f === 'index.wasm' || f === 'index.js') gzTotal += gz;
  console.log(`${f.padEnd(14)} ${kb(raw.length).padStart(8)} raw ${kb(gz).padStart(8)} gzip`);
}
console.log(`wasm + js gzip: ${kb(gzTotal)} (target <= 350 KB: ${verdict(gzTotal <= 350 * 1024)})`);

const dev = await startDevServer(path.resolve(args.web));
const browser = await launchChromium();
try {
  console.log('\n== Time from navigation to first frame');
  const firsts = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(dev.url);
    await page.evaluate(() => window.playground.ready);
    firsts.push(await page.evaluate(() => window.playground.firstFrameMs));
    await context.close();
  }
  const ff = median(firsts);
  console.log(`median ${ff.toFixed(0)} ms over ${runs} fresh loads (${firsts.map((x) => x.toFixed(0)).join(', ')}); target <= 500 ms: ${verdict(ff <= 500)}`);

  console.log('\n== 50 x 500 ms through the in-page API (service worker), one page');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(dev.url);
  await page.evaluate(() => window.playground.ready);
  const plain = [];
  const ours = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that drift on a shared machine hits both alike.
    plain.push(await page.evaluate(async (k) => {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 50 }, (_, j) => fetch(`inpage/api/delay/500?plain=${k}-${j}`).then((r) => r.json())));
      return performance.now() - t0;
    }, i));
    const r = await page.evaluate(() => window.playground.run({ path: 'concurrent', n: 50, latencyMs: 500, api: 'page' }));
    if (r.ok !== 50) throw new Error(`concurrent run ended with ${r.ok} of 50 ok`);
    ours.push(r.wallMs);
  }
  const seq = await page.evaluate(() => window.playground.run({ path: 'sequential', n: 50, latencyMs: 500, api: 'page' }));
  const c = median(ours);
  const p = median(plain);
  console.log(`concurrent wall: median ${c.toFixed(1)} ms (${ours.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`plain JS Promise.all(fetch) in the same page: median ${p.toFixed(1)} ms (${plain.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`concurrent / 500 ms ideal = ${(c / 500).toFixed(3)} (target <= 1.05: ${verdict(c / 500 <= 1.05)})`);
  console.log(`concurrent / plain JS     = ${(c / p).toFixed(3)} (target <= 1.03: ${verdict(c / p <= 1.03)})`);
  console.log(`plain JS / 500 ms ideal   = ${(p / 500).toFixed(3)} (the in-page API's own overhead on this machine)`);
  console.log(`sequential wall ${(seq.wallMs / 1000).toFixed(2)} s / 25 s ideal = ${(seq.wallMs / 25000).toFixed(3)}`);
  const fs_ = await page.evaluate(() => window.playground.frameStats());
  console.log(`\n== Drawing: ${fs_.drawn} frames drawn, ${fs_.deferred} held back around answers; main-thread frame time mean ${fs_.meanMs.toFixed(2)} ms, max ${fs_.maxMs.toFixed(2)} ms`);
} finally {
  await browser.close();
  await dev.close();
}
