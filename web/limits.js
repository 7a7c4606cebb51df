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
