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

export function syncTheme() {
  const s = lessonState();
  if (s) document.documentElement.dataset.theme = s.theme;
}
