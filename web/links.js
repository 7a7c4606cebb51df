// Links and the clipboard: a link's settings applied at start, the permalink, Copy link (with the editor's
// program packed after #program=), Copy embed code, the code panel's program copied, and a new tab.
import { callC } from './bridge.js';
import { announce } from './a11y.js';
import { openEditor, openProgramText } from './editor-glue.js';
import { MAX_PROGRAM_LINK, MAX_QUERY, sizeText } from './limits.js';

const state = { lastLink: null, lastEmbed: null, lastCopy: null };  // what was last copied of each (tests)
export const lastLink = () => state.lastLink;
export const lastEmbed = () => state.lastEmbed;
export const lastCopy = () => state.lastCopy;

export function permalink() {
  const query = callC('ap_js_permalink', [], 'text');
  return `${location.origin}${location.pathname}?${query}`;
}

// A permalink's state (?lesson=...&path=...&n=...): applied after the extra lessons are in.
export function applyUrl() {
  if (location.search.length > MAX_QUERY) {
    callC('ap_js_note', [`Link: the address's settings are ${sizeText(location.search.length)} long; a playground link holds at most 8 KB, so none of them were used.`]);
    return;
  }
  if (location.search) callC('ap_js_apply_url', [location.search]);
}

function copyText(text, what, refused = `${what}: ${text}`) {
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(() => announce(`${what} copied.`), () => announce(refused));
  } else {
    announce(refused);
  }
}

export function copyLink(query) {
  const link = `${location.origin}${location.pathname}?${query}`;
  // With the editor open, the link carries its program, compressed, after '#' (never sent to a server).
  const typed = openProgramText();
  if (!typed) {
    state.lastLink = link;
    copyText(state.lastLink, 'Link');
    return;
  }
  packProgram(typed).then((packed) => {
    if (packed.length > MAX_PROGRAM_LINK) {
      state.lastLink = link;
      copyText(state.lastLink, 'Link', `Link (without the program: ${Math.round(packed.length / 1024)} KB packed is more than a link holds)`);
      announce(`The program is too long for a link (${Math.round(packed.length / 1024)} KB packed); the link has the settings only.`);
      return;
    }
    state.lastLink = `${link}#program=${packed}`;
    copyText(state.lastLink, 'Link with the program');
  });
}

// The code panel's program, with the learner's numbers (a file is one click away: Save as .py).
export function copyProgramText(what, text) {
  state.lastCopy = text;
  copyText(text, what, `${what}: the browser did not let the page copy; use Save as .py.`);
}

export function copyEmbed(query) {
  const params = new URLSearchParams(query);
  params.set('embed', '1');
  state.lastEmbed = embedCode(`${location.origin}${location.pathname}?${params}`);
  copyText(state.lastEmbed, 'Embed code');
}

// The iframe a teacher pastes into a course page: sized for the compact layout, titled for screen readers.
function embedCode(url) {
  const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${attr(url)}" title="Async API playground" width="760" height="560" ` +
    `style="border:0;max-width:100%" loading="lazy" allow="clipboard-write"></iframe>`;
}

// The playground in a tab of its own (not embedded: its in-page API may start there).
export function openTab(query) {
  const params = new URLSearchParams(query);
  params.delete('embed');
  window.open(`${location.origin}${location.pathname}?${params}`, '_blank', 'noopener');
  announce('Opened in a new tab.');
}

// A program in a link: deflate-raw, then base64url, after #program= (the browser keeps a fragment to itself).
async function packProgram(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function unpackProgram(packed) {
  if (packed.length > MAX_PROGRAM_LINK) throw new Error(`it is ${sizeText(packed.length)} long; a program in a link is at most 64 KB packed`);
  if (!/^[A-Za-z0-9_-]*$/.test(packed)) throw new Error('it is damaged: a packed program has only letters, digits, - and _');
  let binary;
  try {
    binary = atob(packed.replace(/-/g, '+').replace(/_/g, '/'));
  } catch (e) {
    throw new Error('it is damaged: not a program packed by this page (was the link cut short?)');
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  let text;
  try {
    text = await new Response(stream).text();
  } catch (e) {
    throw new Error('it is damaged: not a program packed by this page (was the link cut short?)');
  }
  if (text.length > 1 << 20) throw new Error('it unpacks to more than 1 MB');
  return text;
}

// A link with #program=: opens the editor with that program once the page is ready.
export function openLinkedProgram() {
  const m = /^#program=(.*)$/.exec(location.hash);
  if (!m) return;
  unpackProgram(m[1]).then((text) => {
    callC('ap_js_editor_opened');
    openEditor(text);
  }, (e) => callC('ap_js_note', [`Link: the program in this link could not be read (${e.message || e}); the lesson's program is shown.`]));
}
