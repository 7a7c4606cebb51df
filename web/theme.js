// Themes: the URL's theme= wins; otherwise the system's light or dark setting, followed live. The page
// around the canvas (the editor, the status line) takes the theme C++ chose.
import { callC } from './bridge.js';
import { lessonState } from './lessons.js';

export function followSystemTheme() {
  if (!window.matchMedia) return;
  const query = window.matchMedia('(prefers-color-scheme: light)');
  const tell = () => callC('ap_js_set_system_theme', [query.matches ? 1 : 0]);
  tell();
  if (query.addEventListener) query.addEventListener('change', tell);
  syncTheme();
}

// The theme C++ chose, and its code colours (ui_kit's palette, which the code panel draws with) as the CSS
// variables the editor and its bar are styled by: one palette for the code panel and the editor.
const state = { applied: null };
export function syncTheme() {
  const s = lessonState();
  if (!s) return;
  document.documentElement.dataset.theme = s.theme;
  if (state.applied === s.theme) return;
  state.applied = s.theme;
  const vars = callC('ap_js_code_palette', [s.theme === 'light' ? 1 : 0], 'json');
  for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
}
