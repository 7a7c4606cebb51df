// Lessons from the page's side: the lesson shown (its state as C++ keeps it), opening one by id or number,
// and a teacher's extra lesson file (?lessons=<url>), where a bad file costs nothing but a message.
import { callC } from './bridge.js';
import { MAX_LESSON_FILE, fetchLinkedText } from './limits.js';
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
  try {
    const text = await fetchLinkedText(url, MAX_LESSON_FILE, '1 MB', 'a lesson file');
    callC('ap_js_add_lessons', [name, text]);
    callC('ap_js_set_lessons_url', [url]);
  } catch (e) {
    callC('ap_js_lesson_file_error', [`${name}: could not be loaded (${e.message}); the built-in lessons are here`]);
  }
}
