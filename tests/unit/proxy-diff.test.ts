import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffFileSets, diffLines, unifiedDiff, unifiedHunks } from '@/lib/proxy/diff';

/** Applies unified hunks to a text, checking every context and removed line on the way. */
function apply(before: string, hunks: string): string {
  const src = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0;
  let noEol = !before.endsWith('\n') && before !== '';
  const lines = hunks.split('\n');
  lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(l);
    if (m) {
      const start = Number(m[1]) - (m[2] === '0' ? 0 : 1);
      while (pos < start) out.push(src[pos++]);
      continue;
    }
    const next = lines[i + 1] === '\\ No newline at end of file';
    if (l[0] === ' ' || l[0] === '-') {
      if (src[pos] !== l.slice(1)) throw new Error(`context mismatch at ${pos}: ${l}`);
      pos++;
    }
    if (l[0] === ' ' || l[0] === '+') {
      out.push(l.slice(1));
      if (l[0] === '+' || next) noEol = next;
    }
    if (l[0] === '-' && next) noEol = false;
    if (next) i++;
  }
  while (pos < src.length) out.push(src[pos++]);
  return out.length === 0 ? '' : out.join('\n') + (noEol ? '' : '\n');
}

describe('unified diff', () => {
  it('writes standard hunks with three lines of context', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n') + '\n';
    expect(unifiedDiff('x.conf', before, after)).toBe(
      ['--- a/x.conf', '+++ b/x.conf', '@@ -2,9 +2,10 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ' i', ' j', '+k', ''].join('\n'),
    );
  });

  it('splits distant changes into separate hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
    const after = before.replace('l1\n', 'L1\n').replace('l18\n', 'L18\n');
    const hunks = unifiedHunks(before, after);
    expect(hunks.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
  });

  it('marks a missing final newline', () => {
    expect(unifiedHunks('a\nb', 'a\nb\n')).toBe('@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(unifiedHunks('', 'x\n')).toBe('@@ -0,0 +1 @@\n+x\n');
    expect(unifiedHunks('same\n', 'same\n')).toBe('');
  });

  it('finds a minimal edit script', () => {
    const ops = diffLines(['a', 'b', 'c', 'a', 'b', 'b', 'a'], ['c', 'b', 'a', 'b', 'a', 'c']);
    expect(ops.filter((o) => o.kind !== ' ')).toHaveLength(5); // the classic Myers example: D = 5
  });

  it('round-trips random edits through its own hunks', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'server {', '}', ''), { maxLength: 40 }).chain((lines) =>
      fc.tuple(fc.constant(lines.join('\n')), fc.boolean()).map(([t, eol]) => (t && eol ? `${t}\n` : t)),
    );
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (a, b, context) => {
        expect(apply(a, unifiedHunks(a, b, context))).toBe(b);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it.skipIf(!existsSync('/usr/bin/patch'))('is accepted by patch(1)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-diff-'));
    try {
      fc.assert(
        fc.property(fc.array(fc.constantFrom('x', 'y', 'z', 'listen 80;'), { maxLength: 30 }), fc.array(fc.constantFrom('x', 'y', 'w', 'listen 80;'), { maxLength: 30 }), (a, b) => {
          const before = a.length ? `${a.join('\n')}\n` : '';
          const after = b.length ? `${b.join('\n')}\n` : '';
          const file = path.join(dir, 'f.conf');
          writeFileSync(file, before);
          const diff = unifiedDiff('f.conf', before, after);
          if (diff) execFileSync('patch', ['-s', '-p1', '-d', dir, '--no-backup-if-mismatch'], { input: diff });
          expect(readFileSync(file, 'utf8')).toBe(after);
        }),
        { numRuns: 60, seed: 3 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to a full replacement for huge rewrites, still correct', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n') + '\n';
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n') + '\n';
    const hunks = unifiedHunks(a, b);
    expect(apply(a, hunks)).toBe(b);
  });
});

describe('diffFileSets', () => {
  it('reports added, removed and changed files in path order, skipping identical ones', () => {
    const before = [
      { path: 'upstreams.conf', content: 'u\n' },
      { path: 'domains/b.conf', content: 'old\n' },
      { path: 'domains/gone.conf', content: 'g\n' },
    ];
    const after = [
      { path: 'domains/new.conf', content: 'n\n' },
      { path: 'domains/b.conf', content: 'new\n' },
      { path: 'upstreams.conf', content: 'u\n' },
    ];
    expect(diffFileSets(before, after)).toEqual([
      { path: 'domains/b.conf', status: 'changed', patch: '--- a/domains/b.conf\n+++ b/domains/b.conf\n@@ -1 +1 @@\n-old\n+new\n' },
      { path: 'domains/gone.conf', status: 'removed', patch: '--- a/domains/gone.conf\n+++ /dev/null\n@@ -1 +0,0 @@\n-g\n' },
      { path: 'domains/new.conf', status: 'added', patch: '--- /dev/null\n+++ b/domains/new.conf\n@@ -0,0 +1 @@\n+n\n' },
    ]);
    expect(diffFileSets(after, after)).toEqual([]);
    expect(diffFileSets([], [{ path: 'empty.conf', content: '' }])).toEqual([{ path: 'empty.conf', status: 'added', patch: '--- /dev/null\n+++ b/empty.conf\n' }]);
  });
});
