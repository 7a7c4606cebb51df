// Lessons from the page's side: the lesson shown (its state as C++ keeps it), opening one by id or number,
// and a teacher's extra lesson file (?lessons=<url>), where a bad file costs nothing but a message.
import { callC } from './bridge.js';
import { MAX_LESSON_FILE, sizeText } from './limits.js';
import { ready } from './start.js';

export function lessonState() {
  return callC('ap_js_lesson_state', [], 'json');
}

// The open lesson's exercise after its last program run: {lesson, status, checks: [{text, passed, measured,
// hint}], starter, solution}, or null when the lesson has none.
export function exercise() {
  return callC('ap_js_exercise', [], 'json');
}

// Every lesson's progress: [{lesson, number, title, status: "not tried" | "ran" | "passed", checks: [{text,
// passed, measured}], passed: {at, wallMs, requests, program} | null}], the page's lessons first.
export function progress() {
  return callC('ap_js_progress', [], 'json');
}

// Opens a lesson by id or by its 1-based number; resolves to the lesson's state.
export function lesson(which) {
  return ready.then(() => {
    if (callC('ap_js_select_lesson', [String(which)]) < 0) throw new Error(`no lesson ${which}`);
    return lessonState();
  });
}

export async function loadExtraLessons() {
  const url = new URLSearchParams(location.search).get('lessons');
  if (!url) return;
  const name = (url.split('/').pop() || url).slice(0, 80);
  // One deadline for the whole file, its body included: a server that never finishes is cut off.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10000);
  try {
    const reply = await fetch(url, { cache: 'no-store', signal: abort.signal });
    if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
    const size = Number(reply.headers.get('Content-Length'));
    if (size > MAX_LESSON_FILE) throw new Error(`it is ${sizeText(size)}; a lesson file is at most 1 MB`);
    const text = await reply.text();
    if (text.length > MAX_LESSON_FILE) throw new Error(`it is ${sizeText(text.length)}; a lesson file is at most 1 MB`);
    callC('ap_js_add_lessons', [name, text]);
    callC('ap_js_set_lessons_url', [url]);
  } catch (e) {
    // fetch says only "Failed to fetch" when another origin's file comes without a CORS header (or its host is
    // down): say which, and what the host must send.
    let origin = location.origin;
    try { origin = new URL(url, document.baseURI).origin; } catch (_) { origin = location.origin; }
    const why = abort.signal.aborted ? 'it did not arrive within 10 s'
      : e instanceof TypeError && origin !== location.origin
        ? `its host, ${origin}, did not answer or did not let this page read it: a lesson file ` +
          `on another site must be served with the header "Access-Control-Allow-Origin: *" (CORS)`
        : e.message;
    callC('ap_js_lesson_file_error', [`${name}: could not be loaded (${why}); the built-in lessons are here`]);
  } finally {
    clearTimeout(timer);
  }
}
