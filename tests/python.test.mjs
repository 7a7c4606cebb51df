// The code that is shown is the code that runs: for every lesson and every code path it offers, the
// Python program the page shows (rendered by the core with the lesson's numbers, scaled down) is run
// for real with Debian's python3 (httpx, requests) against the dev server, and the time it measures
// itself must land within 15% of the lesson's claim for the same numbers, plus 150 ms: the claim is the
// calls' time, and Python adds its own before the first call goes out (the event loop, the client, its
// connections: 100 to 150 ms for a gather on this two-core machine, enough to push a 1 s claim past 15%).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from '../tools/devserver.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const tool = args.tool;
const PY = '/usr/bin/python3';

let server, base, tmp;
before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'python-test-'));
  fs.writeFileSync(path.join(tmp, 'index.html'), '');
  server = createServer({ root: tmp });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

function runPython(file) {
  return new Promise((resolve, reject) => {
    execFile(PY, [file], { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const SETUP_MS = 150;

test('every lesson\'s programs run and take what the lesson claims (within 15% + 150 ms of Python set-up)', async () => {
  const cases = execFileSync(tool, ['cases']).toString().trim().split('\n').map((line) => {
    const [lesson, codePath, expected, file] = line.split(' ');
    return { lesson, codePath, expected: Number(expected), file };
  });
  assert.ok(cases.length >= 11);
  const results = [];
  // One at a time: side by side, their client set-up competes for the two cores and inflates gather.
  for (const c of cases) {
    const program = execFileSync(tool, ['render', c.lesson, c.codePath, base]).toString();
    const file = path.join(tmp, `${c.lesson}-${c.file}`);
    fs.writeFileSync(file, program);
    const out = await runPython(file);
    const m = /in ([\d.]+) s/.exec(out);  // each program times itself from its first request
    assert.ok(m, `${c.file} printed no time: ${out}`);
    results.push({ ...c, measured: Number(m[1]) * 1000 });
  }
  for (const r of results) {
    console.log(`# ${r.lesson.padEnd(20)} ${r.file.padEnd(22)} claim ${r.expected.toFixed(0).padStart(5)} ms  python ${r.measured.toFixed(0).padStart(5)} ms`);
  }
  for (const r of results) {
    assert.ok(Math.abs(r.measured - r.expected) <= 0.15 * r.expected + SETUP_MS,
      `${r.lesson} / ${r.file}: python measured ${r.measured.toFixed(0)} ms, the lesson claims ${r.expected.toFixed(0)} ms`);
  }
});
