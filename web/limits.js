// The sizes the page takes from outside (links, files, host pages, a program and what it prints): bigger
// ones are refused with a sentence, never passed on. And how such a size is said.

export const MAX_LESSON_FILE = 1 << 20;       // a teacher's lesson file: 1 MB (ten lessons are 8 KB)
export const MAX_QUERY = 8192;                // a link's ?... part
export const MAX_LESSON_ID = 200;             // a host page's set-lesson
export const MAX_COMMAND = 64 * 1024;         // a host page's command, as JSON
export const MAX_RUN_FILE = 16 * 1024 * 1024; // a run file to load
export const MAX_PROGRESS_FILE = 4 * 1024 * 1024; // a progress file to load (C++ refuses more too)
export const MAX_PROGRAM_LINK = 64 * 1024;    // a program in a link, packed
export const MAX_PROGRAM_SOURCE = 1 << 20;    // characters of a program
export const MAX_PROGRAM_OUTPUT = 1 << 20;    // characters of printed text a run keeps (the worker cuts at 1 MB too)

// A size as a reader says it: KB below 1 MB, MB above.
export const sizeText = (n) => (n < 1048576 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1048576).toFixed(1)} MB`);

// A file a link names (?lessons=, ?har=): its text, fetched with one deadline for the whole of it (a server
// that never finishes is cut off) and refused past `max` bytes (said as `maxWords`). Throws an Error whose message says why in
// words, naming CORS when another site's host did not let the page read it.
export async function fetchLinkedText(url, max, maxWords, what) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10000);
  try {
    const reply = await fetch(url, { cache: 'no-store', signal: abort.signal });
    if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
    const size = Number(reply.headers.get('Content-Length'));
    if (size > max) throw new Error(`it is ${sizeText(size)}; ${what} is at most ${maxWords}`);
    const text = await reply.text();
    if (text.length > max) throw new Error(`it is ${sizeText(text.length)}; ${what} is at most ${maxWords}`);
    return text;
  } catch (e) {
    // fetch says only "Failed to fetch" when another origin's file comes without a CORS header (or its host is
    // down): say which, and what the host must send.
    let origin = location.origin;
    try { origin = new URL(url, document.baseURI).origin; } catch (_) { origin = location.origin; }
    throw new Error(abort.signal.aborted ? 'it did not arrive within 10 s'
      : e instanceof TypeError && origin !== location.origin
        ? `its host, ${origin}, did not answer or did not let this page read it: ${what} ` +
          `on another site must be served with the header "Access-Control-Allow-Origin: *" (CORS)`
        : e.message);
  } finally {
    clearTimeout(timer);
  }
}
