// The code that is shown is the code that runs: every Python program the page shows is run for real
// with Debian's python3 (httpx, requests) against the dev server, and its own measured time must land
// within 15% of the model's expected time for the same numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from '../tools/devserver.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const expectedTool = args.expected;
const pythonDir = args.python;
const PY = '/usr/bin/python3';
const PATHS = ['sequential', 'sync_client', 'await_in_loop', 'blocking_in_async', 'concurrent', 'as_completed', 'task_group',
  'bounded', 'pool_limit', 'thread_pool'];
// Scaled down from the lessons' 50 x 500 ms so the suite stays short; long enough that Python's own
// start-up of a client (tens of ms) stays well inside the 15%.
const N = 6, LATENCY = 1000, LIMIT = 3;

let server, base;
before(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'python-test-'));
  fs.writeFileSync(path.join(root, 'index.html'), '');
  server = createServer({ root });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

function runPython(file, argv) {
  return new Promise((resolve, reject) => {
    execFile(PY, [file, ...argv], { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

test('every shown program runs and takes the time the model claims (within 15%)', async () => {
  const results = [];
  // One at a time: side by side, their client set-up competes for the two cores and inflates gather.
  for (const p of PATHS) {
    const [expected, file] = execFileSync(expectedTool, [p, String(N), String(LATENCY), String(LIMIT)]).toString().trim().split(' ');
    const out = await runPython(path.join(pythonDir, file), [base, String(N), String(LATENCY), String(LIMIT)]);
    const m = /in ([\d.]+) s/.exec(out);  // each program times itself from its first request
    assert.ok(m, `${file} printed no time: ${out}`);
    results.push({ p, file, expected: Number(expected), measured: Number(m[1]) * 1000 });
  }
  for (const r of results) {
    console.log(`# ${r.file.padEnd(22)} expected ${r.expected.toFixed(0).padStart(5)} ms  measured ${r.measured.toFixed(0).padStart(5)} ms`);
  }
  for (const r of results) {
    assert.ok(Math.abs(r.measured - r.expected) <= 0.15 * r.expected,
      `${r.file}: measured ${r.measured.toFixed(0)} ms, model says ${r.expected.toFixed(0)} ms`);
  }
});
