// The page's JavaScript, assembled: each module beside this one holds one concern and its state; this file
// starts them in order, answers the C++ calls that span several of them, builds window.playground (the
// page's public surface, in one place), and then starts the C++ program. No application logic lives in the
// page's JavaScript: runs, timing and drawing are C++ (src/web/bridge.cpp is the other side of bridge.js).
// tests/surface.test.mjs checks window.playground against the README's table of its members.
import * as a11y from './a11y.js';
import * as apis from './apis.js';
import { callC, connect, loadProgram } from './bridge.js';
import * as costs from './costs.js';
import * as editor from './editor-glue.js';
import * as files from './files.js';
import * as host from './host-api.js';
import * as input from './input.js';
import * as lessons from './lessons.js';
import * as links from './links.js';
import * as python from './python.js';
import * as runs from './run.js';
import * as stalled from './stalled.js';
import * as start from './start.js';
import * as storage from './storage.js';
import * as hooks from './test-hooks.js';
import * as theme from './theme.js';

// The program is ready (Module.onRuntimeInitialized): find which APIs answer and what they cost, then tell C++.
function runtimeInitialized() {
  apis.findApis().then(costs.measureFirst).then((found) => {
    start.setApis(found);
    callC('ap_js_set_apis', [JSON.stringify(found)]);
    start.settle();
  });
}

// The first frame is drawn (Module.apFirstFrame): a teacher's lessons first (the place kept from the last
// visit may be one of them), then the kept progress and history, the link's settings, the theme and the
// host's origin; once the APIs are known too, the page is ready: a linked program opens, the host hears.
function firstFrame() {
  start.firstFrameDrawn();
  lessons.loadExtraLessons().then(() => {
    storage.restoreProgress();
    storage.restoreHistory();
    links.applyUrl();
    theme.followSystemTheme();
    host.checkHostOrigin();
    start.started();
    start.ready.then(() => {
      links.openLinkedProgram();
      files.loadLinkedHar();
      host.sayReady();
      python.startWhenIdle();
    });
  });
}

// Run was pressed for a real API (Module.apRequestCosts): a Python starting in the background waits, and
// what the API costs is measured with the machine to itself.
function requestCosts(api) {
  python.runStarted(false);
  costs.requestCosts(api);
}

// A run ended (Module.apRunEnded): the screen reader hears it, a dev-server run's stalled times are read, the
// host page hears it, Python may start in the background again, and then the page's event and run()'s promise.
function runEnded(ticket, json) {
  python.runEnded();
  const result = JSON.parse(json);
  a11y.mirrorRun(result);
  stalled.afterRun(result);
  host.runFinished(ticket, result);
  runs.ended(ticket, result);
}

// The place or lessons' progress changed (Module.apProgress): said, told to the host (the lesson, and each
// record that changed: [{lesson, status, checks}]), its theme taken, kept.
function progressChanged(json, changed) {
  if (start.state.firstFrame) {
    a11y.announceLesson();
    host.postLessonIfChanged();
    for (const record of JSON.parse(changed)) host.postProgress(record);
  }
  theme.syncTheme();
  storage.saveProgress(json);
}

stalled.install();
input.install();
host.install();
start.install();
storage.install();
files.install();
connect({ page: { runtimeInitialized, firstFrame, runEnded, progressChanged, requestCosts }, start, costs, storage, links, files, python, editor });

// One member a line (tests/surface.test.mjs reads them).
window.playground = {
  ready: start.ready,
  run: runs.run,
  cancel: runs.cancel,
  runProgram: python.runProgram,
  stopProgram: python.stopProgram,
  lesson: lessons.lesson,
  lessonState: lessons.lessonState,
  exercise: lessons.exercise,
  progress: lessons.progress,
  permalink: links.permalink,
  loadRunText: (name, text) => files.loadRunText(String(name), String(text)),
  exportRun: files.exportRun,
  codeProgram: hooks.codeProgram,
  shownRun: hooks.shownRun,
  replayText: () => hooks.shownRun().replayText,
  stepper: hooks.stepper,
  loopSteps: hooks.loopSteps,
  scalingState: hooks.scalingState,
  layoutCheck: hooks.layoutCheck,
  openRequests: hooks.openRequests,
  frameStats: hooks.frameStats,
  drawFrames: hooks.drawFrames,
  heapBytes: hooks.heapBytes,
  widgetRect: input.widgetRect,
  revealWidget: input.revealWidget,
  get apis() { return start.state.apis; },
  get firstFrameMs() { return start.state.firstFrameMs; },
  get lastLink() { return links.lastLink(); },
  get lastEmbed() { return links.lastEmbed(); },
  get lastCopy() { return links.lastCopy(); },
  get editorText() { return editor.editorText(); },
  get editorCounts() { return editor.editorCounts(); },
  get editorLitLine() { return editor.editorLitLine(); },
  get pythonBoot() { return python.lastBoot(); },
  get pythonWorkers() { return python.workers(); },
  get pythonSpareReady() { return python.spareReady(); },
};

loadProgram();
