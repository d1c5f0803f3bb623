/**
 * Unified diffs between two sets of rendered files, for the deploy preview and drift reports.
 * A compact Myers line diff (O((N+M)·D)); config files are small, and a pathological rewrite
 * beyond MAX_EDIT_DISTANCE falls back to "remove all, add all", which is still a correct diff.
 */

export interface FileText {
  path: string;
  content: string;
}

export interface FileDiff {
  path: string;
  status: 'added' | 'removed' | 'changed';
  /** Standard unified diff text (---/+++ headers and @@ hunks), ending with a newline. */
  patch: string;
}

type Op = { kind: ' ' | '-' | '+'; text: string };

const MAX_EDIT_DISTANCE = 2000;
const NO_EOL = '\n\\ No newline at end of file';

/**
 * Lines of a text. A last line without its newline carries the "\ No newline" marker in its
 * text, so "a" and "a\n" compare different and print the way diff(1) prints them.
 */
function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/** Myers' greedy diff with a trace of the furthest-reaching paths, window-sized per step. */
function myers(a: string[], b: string[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const trace: Int32Array[] = [];
  let v = new Int32Array(3); // v[k + d + 1] for k in [-d-1, d+1]
  for (let d = 0; d <= Math.min(n + m, MAX_EDIT_DISTANCE); d++) {
    const get = (k: number) => (k >= -d && k <= d ? v[k + d] : -1); // v is sized for d-1 here
    const next = new Int32Array(2 * d + 3);
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && get(k - 1) < get(k + 1)) ? get(k + 1) : get(k - 1) + 1;
      if (d === 0) x = 0;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[k + d + 1] = x;
      if (x >= n && y >= m) {
        trace.push(next);
        return backtrack(trace, a, b);
      }
    }
    trace.push(next);
    v = next;
  }
  return null;
}

function backtrack(trace: Int32Array[], a: string[], b: string[]): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  const at = (d: number, k: number) => trace[d][k + d + 1];
  for (let d = trace.length - 1; d > 0; d--) {
    const k = x - y;
    const down = k === -d || (k !== d && at(d - 1, k - 1) < at(d - 1, k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(d - 1, prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', text: a[--x] });
      y--;
    }
    if (down) ops.push({ kind: '+', text: b[--y] });
    else ops.push({ kind: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', text: a[--x] });
    y--;
  }
  return ops.reverse();
}

/** The line edits turning `before` into `after`. */
export function diffLines(before: string[], after: string[]): Op[] {
  return myers(before, after) ?? [...before.map((text) => ({ kind: '-' as const, text })), ...after.map((text) => ({ kind: '+' as const, text }))];
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);

/** Hunks with `context` unchanged lines around each change; empty string when nothing changed. */
export function unifiedHunks(before: string, after: string, context = 3): string {
  const ops = diffLines(toLines(before), toLines(after));
  const out: string[] = [];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < ops.length) {
    if (ops[i].kind === ' ') {
      i++;
      oldLine++;
      newLine++;
      continue;
    }
    // Start a hunk `context` lines back, then extend it while changes are within 2·context lines.
    const lead = Math.min(context, i);
    const start = i - lead;
    let end = i;
    for (let j = i, gap = 0; j < ops.length; j++) {
      gap = ops[j].kind === ' ' ? gap + 1 : 0;
      if (gap > 2 * context) break;
      if (ops[j].kind !== ' ') end = j;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const slice = ops.slice(start, stop);
    const oldCount = slice.filter((o) => o.kind !== '+').length;
    const newCount = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(oldLine - lead, oldCount)} +${range(newLine - lead, newCount)} @@`);
    for (const o of slice) out.push(o.kind + o.text);
    oldLine += oldCount - lead;
    newLine += newCount - lead;
    i = stop;
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** A unified diff of one file, with git-style a/ and b/ headers; /dev/null for a missing side. */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string {
  const hunks = unifiedHunks(before ?? '', after ?? '', context);
  if (!hunks) return '';
  return `--- ${before === null ? '/dev/null' : `a/${path}`}\n+++ ${after === null ? '/dev/null' : `b/${path}`}\n${hunks}`;
}

/** Changed, added and removed files between two sets, sorted by path; identical files are left out. */
export function diffFileSets(before: FileText[], after: FileText[], context = 3): FileDiff[] {
  const old = new Map(before.map((f) => [f.path, f.content]));
  const cur = new Map(after.map((f) => [f.path, f.content]));
  const paths = [...new Set([...old.keys(), ...cur.keys()])].sort();
  const diffs: FileDiff[] = [];
  for (const path of paths) {
    const a = old.has(path) ? old.get(path)! : null;
    const b = cur.has(path) ? cur.get(path)! : null;
    if (a === b) continue;
    const status = a === null ? 'added' : b === null ? 'removed' : 'changed';
    // An empty file added or removed has no hunks; its headers alone still say what happened.
    const patch = unifiedDiff(path, a, b, context) || `--- ${a === null ? '/dev/null' : `a/${path}`}\n+++ ${b === null ? '/dev/null' : `b/${path}`}\n`;
    diffs.push({ path, status, patch });
  }
  return diffs;
}
