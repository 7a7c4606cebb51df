// The page's lists, held to the source so that none can go stale: the C++ functions the page's JavaScript
// calls and those C++ exports; the callbacks C++ calls (Module.apX) and the one table in web/bridge.js that
// answers them; the members of window.playground as web/playground.js builds them, the README's table of
// them and the names the tests and tools use; the README's folder map and the files there; the files the
// dev server serves and the page's own. Each comparison prints what one side has and the other lacks.
// Reads source text only: no build, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_FILES } from '../tools/devserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');
const list = (rel) => fs.readdirSync(path.join(root, rel)).filter((f) => !f.startsWith('.')).sort();
const matches = (text, re) => [...text.matchAll(re)].map((m) => m[1]);

const cppFiles = list('src/web').filter((f) => f.endsWith('.cpp')).map((f) => `src/web/${f}`);
// C++ without its // comments (prose may name anything); a // inside a string (a URL) follows no space.
const cpp = cppFiles.map((f) => read(f).replace(/(^|[\s;{}])\/\/.*$/gm, '$1')).join('\n');
const webScripts = list('web').filter((f) => f.endsWith('.js'));
const js = Object.fromEntries(webScripts.map((f) => [f, read(`web/${f}`)]));
const allJs = Object.values(js).join('\n');

// Fails with the names only one side has, each side named.
function agree(what, [leftName, left], [rightName, right]) {
  left = new Set(left);
  right = new Set(right);
  const onlyLeft = [...left].filter((x) => !right.has(x)).sort();
  const onlyRight = [...right].filter((x) => !left.has(x)).sort();
  const lines = [];
  if (onlyLeft.length) lines.push(`in ${leftName} but not in ${rightName}: ${onlyLeft.join(', ')}`);
  if (onlyRight.length) lines.push(`in ${rightName} but not in ${leftName}: ${onlyRight.join(', ')}`);
  assert.ok(lines.length === 0, `${what}:\n  ${lines.join('\n  ')}`);
}

test('every C++ function the page calls is exported, and every export is called', () => {
  const exported = matches(cpp, /EMSCRIPTEN_KEEPALIVE\b[^;{(]*?\b(\w+)\s*\(/g);
  assert.ok(exported.length > 30, `found only ${exported.length} exports in ${cppFiles.join(', ')}: has the source changed shape?`);
  // callC('ap_js_x', ...) and Module._ap_js_x (an existence check counts too).
  const unreadable = allJs.match(/(?<!function )\bcallC\(\s*[^'\s].{0,30}/g) || [];
  assert.deepEqual(unreadable, [], 'callC with a name that is not a literal: this test cannot see what it calls');
  const fromJs = [...matches(allJs, /\bcallC\(\s*'(\w+)'/g), ...matches(allJs, /\bModule\._(ap_\w+)/g)];
  // C++'s own EM_JS functions call some exports themselves (main.cpp's CPU drain, bridge.cpp's calibration).
  const fromCpp = matches(cpp, /\bModule\._(ap_\w+)/g);
  agree('C++ exports and the calls into them', ['the exports (EMSCRIPTEN_KEEPALIVE in src/web/*.cpp)', exported],
    ['the calls (callC and Module._ in web/*.js, Module._ in EM_JS)', [...fromJs, ...fromCpp]]);
});

test('every callback C++ calls is answered in web/bridge.js\'s one table, and nothing else is there', () => {
  const called = matches(cpp, /\bModule\.(ap[A-Z]\w*)\s*\(/g);
  assert.ok(called.length > 10, `found only ${called.length} Module.apX calls in ${cppFiles.join(', ')}: has the source changed shape?`);
  const table = /const callbacks = \{\n([\s\S]*?)\n {2}\};/.exec(js['bridge.js']);
  assert.ok(table, 'web/bridge.js has no `const callbacks = {...};` table');
  const rows = table[1].split('\n').filter((l) => l.trim());
  const unreadable = rows.filter((l) => !/^\s*ap[A-Z]\w*: [\w.]+,/.test(l));
  assert.deepEqual(unreadable, [], 'lines of the callbacks table this test cannot read (one `apX: module.function,` a line)');
  agree('C++ -> JS callbacks', ['src/web/*.cpp (Module.apX called in EM_JS)', called],
    ['web/bridge.js (the callbacks table)', rows.map((l) => /^\s*(\w+)/.exec(l)[1])]);
  // Module.apX that C++ sets and reads itself (main.cpp's MessageChannel) is C++'s own: no script touches it.
  const own = matches(cpp, /\bModule\.(ap[A-Z]\w*)\b(?!\s*\()/g).filter((n) => !called.includes(n));
  const touched = own.filter((n) => new RegExp(`\\b${n}\\b`).test(allJs));
  assert.deepEqual(touched, [], 'C++\'s own Module properties used by the page\'s scripts');
  // The table is the only place: no script sets a Module.apX itself.
  const elsewhere = webScripts.filter((f) => /\bModule(\.ap[A-Z]\w*|\[\s*['"`]ap[A-Z]\w*['"`]\s*\])\s*=(?!=)/.test(js[f]));
  assert.deepEqual(elsewhere, [], 'scripts that set a Module.apX outside web/bridge.js\'s table');
});

// The members of window.playground, from its one literal in web/playground.js, one member a line.
function assembledMembers() {
  const assigned = webScripts.filter((f) => /window\.playground\s*=(?!=)/.test(js[f]));
  assert.deepEqual(assigned, ['playground.js'], 'window.playground is built in web/playground.js and nowhere else');
  const added = webScripts.filter((f) => /\bplayground\.\w+\s*=(?!=)/.test(js[f]));
  assert.deepEqual(added, [], 'scripts that add members to window.playground after it is built');
  const body = /window\.playground = \{\n([\s\S]*?)\n\};/.exec(js['playground.js']);
  assert.ok(body, 'web/playground.js has no `window.playground = {\\n...\\n};`');
  const lines = body[1].split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
  const names = lines.map((l) => /^ {2}(?:get )?([A-Za-z_$][\w$]*)(?:: |\(\) \{ )/.exec(l));
  const unreadable = lines.filter((l, i) => !names[i]);
  assert.deepEqual(unreadable, [], 'lines of window.playground this test cannot read (one `name: value,` or `get name() {...},` a line)');
  return names.map((m) => m[1]);
}

test('window.playground: built in one place, documented in the README\'s table, every name used exists', () => {
  const members = assembledMembers();
  const readme = read('README.md');
  const section = /### For embedding and tests: `window\.playground`\n([\s\S]*?)\n## /.exec(readme);
  assert.ok(section, 'README.md has no "### For embedding and tests: `window.playground`" section');
  const rows = section[1].split('\n').filter((l) => /^\| `/.test(l));
  const documented = rows.flatMap((l) => matches(l.split('|')[1], /`([A-Za-z_$][\w$]*)/g));
  agree('window.playground', ['web/playground.js', members], ['the README\'s table', documented]);
  // What the tests and tools use of it (window.playground.<name>, or playground.<name> inside page code).
  const users = [...list('tests').filter((f) => f.endsWith('.mjs') && f !== 'surface.test.mjs').map((f) => `tests/${f}`),
    ...list('tools').filter((f) => f.endsWith('.mjs')).map((f) => `tools/${f}`)];
  const used = new Set(users.flatMap((f) => matches(read(f), /\bplayground\.([A-Za-z_$][\w$]*)/g)));
  used.delete('js');  // (the file's name in prose)
  const unknown = [...used].filter((n) => !members.includes(n)).sort();
  assert.deepEqual(unknown, [], 'names the tests and tools use that window.playground lacks');
});

test('the page\'s modules: each has a header, each is imported and preloaded, each import exists', () => {
  const pageModules = webScripts.filter((f) => !['sw.js', 'python-host.js', 'python-worker.js'].includes(f));
  const headless = webScripts.filter((f) => !js[f].startsWith('// '));
  assert.deepEqual(headless, [], 'scripts that do not start with a // header saying what they do');
  const reached = new Set(['playground.js']);
  const queue = ['playground.js'];
  const missing = [];
  while (queue.length) {
    const f = queue.shift();
    for (const target of matches(js[f], /^import [^'\n]*'\.\/([\w-]+\.js)';$/gm)) {
      if (!js[target]) missing.push(`${f} imports ${target}`);
      else if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  assert.deepEqual(missing, [], 'imports of files that are not in web/');
  agree('the page\'s modules', ['web/*.js (less sw.js and the Python host and worker)', pageModules],
    ['what web/playground.js imports, directly or not', reached]);
  // The shell asks for them all at once, before playground.js has named them.
  const preloaded = matches(read('web/shell.html'), /<link rel="modulepreload" href="([\w-]+\.js)">/g);
  agree('modules preloaded', ['web/shell.html\'s modulepreload links', preloaded],
    ['what web/playground.js imports, directly or not', [...reached].filter((f) => f !== 'playground.js')]);
});

test('the dev server serves every file the build copies from web/, and nothing that is neither copied nor built', () => {
  const copied = [...webScripts, 'style.css', 'host-example.html'];
  const built = (f) => /^index\.(html|js|wasm)$/.test(f) || f === 'editor.js' || f.startsWith('python/');
  agree('served files', ['web/ (copied by cmake/web.cmake)', copied], ['PAGE_FILES in tools/devserver.mjs (less what the build makes)', [...PAGE_FILES].filter((f) => !built(f))]);
  const cmake = read('cmake/web.cmake');
  assert.match(cmake, /file\(GLOB AP_WEB_SCRIPTS[^)]*web\/\*\.js\)/, 'cmake/web.cmake copies web/*.js');
  assert.match(cmake, /foreach\(asset \$\{AP_WEB_SCRIPTS\} style\.css host-example\.html\)/, 'cmake/web.cmake copies the CSS and the example page');
});

// A file's name without its extension: `bridge.h`, `bridge.cpp`, `bridge.*` and `bridge` are one module.
const stem = (name) => name.replace(/\/$/, '').replace(/\.(\w+|\*)$/, '');
const FILE_NAME = /\.(h|cpp|c|js|mjs|html|css|png|txt|py|sh|cmake|json|vert|frag|\*)$/;

// A name in a map row resolves inside the row's folder (at any depth, by its stem), or from the top.
function findIn(folder, name) {
  if (fs.existsSync(path.join(root, folder, name)) || fs.existsSync(path.join(root, name))) return true;
  const exact = FILE_NAME.test(name) && !name.endsWith('.*');
  const walk = (dir) => fs.readdirSync(path.join(root, dir), { withFileTypes: true }).some((e) =>
    (exact ? e.name === name : stem(e.name) === stem(name)) || (e.isDirectory() && walk(path.join(dir, e.name))));
  return walk(folder);
}

test('the README\'s folder map names every file in each folder, and every file it names exists', () => {
  const readme = read('README.md');
  const map = /## Folder map\n([\s\S]*?)\n\n/.exec(readme);
  assert.ok(map, 'README.md has no "## Folder map" table');
  const rows = map[1].split('\n').filter((l) => /^\| `/.test(l));
  assert.ok(rows.length >= 8, 'the folder map has fewer rows than folders');
  const problems = [];
  for (const row of rows) {
    const [, where, what] = row.split('|');
    const paths = matches(where, /`([^`]+)`/g);
    for (const p of paths) if (!fs.existsSync(path.join(root, p))) problems.push(`${p}: no such path`);
    const folder = paths.find((p) => p.endsWith('/'));
    if (!folder || !fs.existsSync(path.join(root, folder))) continue;
    const named = matches(what, /`([^`]+)`/g);
    // Names that look like files (a source extension, `x.*`, a folder, a path) must exist; so must
    // snake_case names (modules without their .h/.cpp, tools without an extension). Others are words.
    for (const n of named) {
      const fileLike = FILE_NAME.test(n) || n.includes('/') || /^[a-z][a-z0-9_]*$/.test(n);
      if (fileLike && !findIn(folder, n)) problems.push(`${folder}: \`${n}\` is named but does not exist`);
    }
    // Every file and folder directly inside is named: a folder as `name/`, a file by its name or its stem
    // (`bridge.*` names bridge.h and bridge.cpp; `run.h` names run.cpp too).
    for (const entry of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const ok = entry.isDirectory() ? named.includes(`${entry.name}/`)
        : named.some((n) => n === entry.name || (!n.endsWith('/') && stem(n) === stem(entry.name)));
      if (!ok) problems.push(`${folder}: ${entry.name}${entry.isDirectory() ? '/' : ''} is not in the map`);
    }
  }
  assert.deepEqual(problems, [], 'the README\'s folder map and the files disagree');
});
