// Compiles the packed Python libraries (tools/pack_python.py's zip) to bytecode with the page's own
// interpreter (Pyodide from node_modules, run by Node at build time), so the learner's first program does not
// wait for CPython to compile httpx and requests in the browser (about half of their import time).
//
//   node tools/compile_python.mjs <site.zip from pack_python.py> <site.zip to serve>
//
// Each module keeps its source (tracebacks show its lines) and gains __pycache__/<name>.cpython-3XX.pyc,
// checked against nothing (unchecked-hash: the zip's files never change), in the same order and with the
// same dates as the input, so the same input gives the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/compile_python.mjs <site.zip in> <site.zip out>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadPyodide } = await import(path.join(root, 'node_modules/pyodide/pyodide.mjs'));
const py = await loadPyodide({ indexURL: path.join(root, 'node_modules/pyodide') + '/' });
py.FS.writeFile('/tmp/in.zip', new Uint8Array(fs.readFileSync(input)));
py.runPython(`
import os, py_compile, sys, warnings, zipfile
warnings.filterwarnings("ignore", category=SyntaxWarning)  # (the libraries' own, e.g. 'return' in 'finally')
source = zipfile.ZipFile("/tmp/in.zip")
with zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as out:
    for info in sorted(source.infolist(), key=lambda i: i.filename):
        data = source.read(info)
        out.writestr(info, data)
        if not info.filename.endswith(".py"):
            continue
        os.makedirs("/tmp/src", exist_ok=True)
        with open("/tmp/src/module.py", "wb") as f:
            f.write(data)
        py_compile.compile("/tmp/src/module.py", cfile="/tmp/src/module.pyc", dfile=info.filename, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        folder, name = os.path.split(info.filename)
        cached = zipfile.ZipInfo(os.path.join(folder, "__pycache__", name[:-3] + "." + sys.implementation.cache_tag + ".pyc"),
                                 date_time=info.date_time)
        cached.compress_type = zipfile.ZIP_DEFLATED
        with open("/tmp/src/module.pyc", "rb") as f:
            out.writestr(cached, f.read())
`);
fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
fs.writeFileSync(output, py.FS.readFile('/tmp/out.zip'));
