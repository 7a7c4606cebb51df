// Keyboard and pointer on the canvas, where the browser's defaults and SDL's would get in the way: Tab moves
// through the canvas's controls and then on to the page around it; a press focuses the canvas, and a press on
// Cancel cancels at once. And where the page last drew a named control.
import { Module, callC } from './bridge.js';

const state = { lastTab: null };  // the last Tab press: {backwards, at}

// Where the page last drew a named control ("run", "cancel", "path:sequential", "n", "api", ...), in CSS
// pixels relative to the page; null when it is not on screen.
export function widgetRect(name) {
  const rect = callC('ap_js_widget_rect', [String(name)], 'json');
  if (!rect) return null;
  const c = Module.canvas.getBoundingClientRect();
  return { x: rect.x + c.left, y: rect.y + c.top, w: rect.w, h: rect.h, enabled: rect.enabled, shown: rect.shown };
}

// Scrolls a named control into its column's view; resolves to its place once a frame has drawn it there
// (null when the page does not draw it).
export async function revealWidget(name) {
  if (!callC('ap_js_reveal_widget', [String(name)], 'number')) return null;
  for (let frame = 0; frame < 10; frame++) {
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const r = widgetRect(name);
    if (!r || r.shown) return r;
  }
  return widgetRect(name);
}

export function install() {
  // The capture listener runs before SDL's (which would keep Tab inside the canvas for good).
  // A Tab into the canvas from the page around it starts the ring at the first control, a Shift+Tab at the last.
  window.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    state.lastTab = { backwards: e.shiftKey, at: performance.now() };
    if (e.target !== Module.canvas || !Module._ap_js_tab_leaves) return;
    if (callC('ap_js_tab_leaves', [e.shiftKey ? 1 : 0])) e.stopPropagation();
  }, true);
  Module.canvas.addEventListener('focus', () => {
    if (!state.lastTab || performance.now() - state.lastTab.at > 500 || !Module._ap_js_focus_enter) return;
    callC('ap_js_focus_enter', [state.lastTab.backwards ? 1 : 0]);
    state.lastTab = null;
  });

  // SDL cancels mousedown's default action, which would have focused the canvas; keys only reach the page
  // while the canvas has focus (so an embedded page never takes a host page's keystrokes).
  // Cancel acts on the press, at once: while a run's CPU work keeps the page's thread busy, frames (and a
  // click's release) come late, but a pointer event comes between two answers' work (src/web/main.cpp).
  Module.canvas.addEventListener('pointerdown', (e) => {
    Module.canvas.focus();
    const r = Module._ap_js_widget_rect ? widgetRect('cancel') : null;
    if (r && r.enabled && e.clientX >= r.x && e.clientX < r.x + r.w && e.clientY >= r.y && e.clientY < r.y + r.h) callC('ap_js_cancel');
  });
}
