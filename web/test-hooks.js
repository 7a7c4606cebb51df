// What the page's tests and tools/bench read of the C++ state through window.playground: frames, the heap,
// what is still open, and what each view shows. Each is a read, or (drawFrames) frames drawn on purpose.
import { callC } from './bridge.js';

export const frameStats = () => callC('ap_js_frame_stats', [], 'json');
// Bytes the program holds in its heap right now (malloc's count, not the heap's reserved size).
export const heapBytes = () => callC('ap_js_heap_bytes');
export const openRequests = () => callC('ap_js_open_requests', [], 'json');
export const shownRun = () => callC('ap_js_shown_run', [], 'json');
export const stepper = () => callC('ap_js_stepper_state', [], 'json');
export const loopSteps = () => callC('ap_js_loop_steps', [], 'json');
export const scalingState = () => callC('ap_js_scaling_state', [], 'json');
export const layoutCheck = () => callC('ap_js_layout_check', [], 'json');
// The code panel's program, with the learner's numbers.
export const codeProgram = () => callC('ap_js_code_program', [], 'text');

// Draws `count` frames although nothing changed; resolves to their mean main-thread time in ms.
export function drawFrames(count = 10) {
  const before = frameStats();
  callC('ap_js_force_frames', [count]);
  return new Promise((resolve) => {
    const check = () => {
      const now = frameStats();
      if (now.drawn >= before.drawn + count) resolve({ frames: now.drawn - before.drawn, meanMs: (now.totalMs - before.totalMs) / (now.drawn - before.drawn) });
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}
