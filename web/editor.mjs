// The learner's program editor: CodeMirror 6 (npm, bundled at build time by esbuild into editor.js and
// loaded only when the learner first presses "Edit and run"). A DOM editor, not an ImGui one, so that phone
// keyboards, input methods, screen readers, undo and copy/paste work as everywhere else on the web. Tab
// leaves the editor for the next control, as the page's focus order wants (indent with Ctrl+] and Ctrl+[).
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import { Decoration, ViewPlugin, keymap } from '@codemirror/view';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

// One line marked with a class (or none): the program's error, and the line a clicked bar's request came from.
function lineMark(className) {
  const effect = StateEffect.define();
  const field = StateField.define({
    create: () => Decoration.none,
    update(marks, tr) {
      marks = marks.map(tr.changes);
      for (const e of tr.effects) {
        if (!e.is(effect)) continue;
        if (e.value < 1 || e.value > tr.state.doc.lines) return Decoration.none;
        return Decoration.set([Decoration.line({ class: className }).range(tr.state.doc.line(e.value).from)]);
      }
      return tr.docChanged ? Decoration.none : marks;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
  return { effect, field };
}
const errorMark = lineMark('cm-error-line');
const litMark = lineMark('cm-lit-line');
const markError = errorMark.effect;

// Where the running program's requests are, by the lines that made them: each such line tinted in the
// colour of the waterfall's phase, with the words ("3 waiting for the API") as its tooltip and in the
// editor's bar: the code panel's per-line counts, in the editor. (Markers in a gutter left a stale white
// band over the page in Chromium when the editor was opened by the lesson's Run.)
const setCounts = StateEffect.define();
const countsField = StateField.define({
  create: () => ({ list: [], lines: Decoration.none }),
  update(counts, tr) {
    for (const e of tr.effects) {
      if (!e.is(setCounts)) continue;
      const list = [], lines = [];
      for (const c of e.value) {
        if (!(c.line >= 1 && c.line <= tr.state.doc.lines)) continue;
        const count = (c.text.match(/\d+/g) || []).reduce((a, b) => a + Number(b), 0);
        list.push({ line: c.line, count, text: c.text, phase: c.phase });
        lines.push(Decoration.line({ class: `cm-counted cm-counted-${c.phase}`, attributes: { title: c.text } })
          .range(tr.state.doc.line(c.line).from));
      }
      return { list, lines: Decoration.set(lines, true) };
    }
    return tr.docChanged ? { list: [], lines: Decoration.none } : counts;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.lines),
});

// A wrapped line goes on under its own indentation, not at the left edge, so Python's blocks stay readable
// in a narrow panel or on a phone (a hanging indent as wide as the line's leading spaces, a tab counting 4,
// and at most 12: a line aligned far right under a bracket would otherwise wrap into a narrow column).
function hangingIndent(view) {
  const marks = [];
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to;) {
      const line = view.state.doc.lineAt(pos);
      const lead = Math.min(12, /^[ \t]*/.exec(line.text)[0].replace(/\t/g, '    ').length);
      if (lead > 0 && lead < line.text.length) {
        marks.push(Decoration.line({ attributes: { style: `padding-left: calc(${lead}ch + 6px); text-indent: -${lead}ch` } }).range(line.from));
      }
      pos = line.to + 1;
    }
  }
  return Decoration.set(marks);
}
const wrappedIndent = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = hangingIndent(view); }
  update(u) { if (u.docChanged || u.viewportChanged || u.geometryChanged) this.decorations = hangingIndent(u.view); }
}, { decorations: (v) => v.decorations });

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--editor-bg)', color: 'var(--editor-fg)' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', lineHeight: '1.45' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', color: 'var(--editor-dim)', border: 'none' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--editor-active)' },
  '.cm-error-line': { backgroundColor: 'var(--editor-error)' },
  '.cm-lit-line': { backgroundColor: 'var(--editor-selection)', outline: '1px solid var(--editor-dim)' },
  '.cm-counted-wait': { backgroundColor: 'var(--phase-wait-tint)' },
  '.cm-counted-queue': { backgroundColor: 'var(--phase-queue-tint)' },
  '.cm-counted-cpu': { backgroundColor: 'var(--phase-cpu-tint)' },
  '.cm-counted-backoff': { backgroundColor: 'var(--phase-backoff-tint)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--editor-fg)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--editor-selection)' },
});

// Python's colours are the code panel's (ui_kit's palette, set as CSS variables by web/theme.js).
const codeColours = syntaxHighlighting(HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword, tags.self, tags.bool, tags.null],
    color: 'var(--code-keyword)' },
  { tag: [tags.standard(tags.variableName), tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)],
    color: 'var(--code-builtin)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--code-string)' },
  { tag: [tags.comment, tags.lineComment], color: 'var(--code-comment)', fontStyle: 'italic' },
  { tag: [tags.number, tags.integer, tags.float], color: 'var(--code-number)' },
]));

export function createEditor(parent, text, { onRun } = {}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        python(),
        Prec.high(codeColours),
        theme,
        errorMark.field,
        litMark.field,
        countsField,
        // Long lines wrap: the whole program in view in a narrow panel or on a phone, no sideways scrolling.
        EditorView.lineWrapping,
        wrappedIndent,
        EditorView.contentAttributes.of({ 'aria-label': 'Your Python program', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
        // Ctrl+Enter (Cmd+Enter) runs, as in notebooks: ahead of the default keymap's own Mod-Enter.
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { if (onRun) onRun(); return true; } }])),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(t) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t }, effects: markError.of(0) });
    },
    // Marks line n (1-based) as the error's and brings it into view; 0 clears the mark.
    markLine(n) {
      const effects = [markError.of(n)];
      if (n >= 1 && n <= view.state.doc.lines) effects.push(EditorView.scrollIntoView(view.state.doc.line(n).from, { y: 'center' }));
      view.dispatch({ effects });
    },
    // Lights line n (1-based) as the one a clicked bar's request came from; 0 puts the light out.
    litLine(n) {
      const effects = [litMark.effect.of(n)];
      if (n >= 1 && n <= view.state.doc.lines) effects.push(EditorView.scrollIntoView(view.state.doc.line(n).from, { y: 'nearest' }));
      view.dispatch({ effects });
    },
    // Where the program's requests are: [{line, text, phase}] (phase: queue, wait, cpu, backoff); [] clears.
    setCounts(list) {
      view.dispatch({ effects: setCounts.of(Array.isArray(list) ? list : []) });
    },
    // The counts shown: [{line, count, text, phase}].
    counts: () => view.state.field(countsField).list.slice(),
    litLineNumber() {
      let found = 0;
      view.state.field(litMark.field).between(0, view.state.doc.length, (from) => { found = view.state.doc.lineAt(from).number; });
      return found;
    },
    goToLine(n) {
      if (n < 1 || n > view.state.doc.lines) return;
      const at = view.state.doc.line(n).from;
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
