import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { cmd, raw, shq, ShellQuoteError } from '@/lib/ssh/quote';

/** Runs a command line through the real /bin/sh, the way sshd hands it to the login shell. */
function sh(line: string): string {
  return execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Runs many quoted values through one /bin/sh, NUL-separated, so a property sample costs one spawn. */
function roundTrip(values: string[]): string[] {
  const line = values.map((v) => `printf '%s\\0' ${shq(v)}`).join('; ');
  const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const parts = out.toString('utf8').split('\0');
  parts.pop();
  return parts;
}

const corpus: string[] = [
  '',
  ' ',
  '; rm -rf /',
  '&& touch /tmp/pwned',
  '| cat /etc/shadow',
  '$(id)',
  '${HOME}',
  '$HOME',
  '`id`',
  'a\nb',
  '\n; id\n',
  "'",
  "''",
  "a'b'c",
  "'\\''",
  '"',
  '"$(id)"',
  '\\',
  '\\\\\'',
  '*',
  '/etc/*',
  '?',
  '[a-z]*',
  '~',
  '~root',
  '--option',
  '-rf',
  '-',
  '#comment',
  '!',
  '!!',
  '%s%n',
  '\t\r\v\f',
  '\x1b[31mred\x1b[0m',
  'héllo wörld',
  '日本語のパス',
  '🙂 emoji',
  '\u202Eright-to-left',
  'a'.repeat(100_000),
  "'".repeat(5_000),
  '> /tmp/x < /etc/passwd 2>&1',
  'x=1 y=2',
  '{a,b}',
  '(subshell)',
  'IFS=x',
];

describe('shq', () => {
  it('wraps in single quotes and escapes embedded quotes', () => {
    expect(shq('abc')).toBe("'abc'");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('')).toBe("''");
    expect(shq(644)).toBe("'644'");
  });

  it('refuses NUL bytes', () => {
    expect(() => shq('a\0b')).toThrow(ShellQuoteError);
    expect(() => cmd`echo ${'x\0'}`).toThrow(ShellQuoteError);
  });

  it.each(corpus.map((s, i) => [i, s] as const))('corpus #%i reaches the command intact', (_i, s) => {
    expect(sh(`printf %s ${shq(s)}`)).toBe(s);
  });

  it('every corpus value stays ONE argument', () => {
    for (const s of corpus) {
      // "$#" counts the words the shell built: exactly one, whatever the value holds.
      expect(sh(`set -- ${shq(s)}; printf %s "$#"`)).toBe('1');
    }
  });

  it('property: printf %s <shq(s)> prints exactly s (real /bin/sh)', () => {
    const noNul = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(noNul, { minLength: 1, maxLength: 25 }), (values) => {
        expect(roundTrip(values)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });

  it('property: quote-heavy strings survive', () => {
    const nasty = fc.string({ unit: fc.constantFrom("'", '"', '\\', '$', '`', '\n', ' ', ';', '*', 'a'), maxLength: 60 });
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 25 }), (values) => {
        expect(roundTrip(values)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });
});

describe('cmd', () => {
  it('quotes every interpolation and keeps the literal parts', () => {
    expect(cmd`install -m ${'0600'} -- ${'/tmp/a b'} ${"/etc/x'y"}`).toBe(
      "install -m '0600' -- '/tmp/a b' '/etc/x'\\''y'",
    );
  });

  it('expands arrays to one quoted word each', () => {
    expect(cmd`nginx ${['-p', '/srv/my prefix', '-t']}`).toBe("nginx '-p' '/srv/my prefix' '-t'");
  });

  it('inserts raw fragments verbatim', () => {
    expect(cmd`${raw('nginx -t')} && echo ${'$ok'}`).toBe("nginx -t && echo '$ok'");
  });

  it('nested cmd output is quoted again, which is what sh -c needs', () => {
    const inner = cmd`printf %s ${'$(id); `x`'}`;
    expect(sh(cmd`sh -c ${inner}`)).toBe('$(id); `x`');
  });

  it('an injection attempt through cmd runs nothing', () => {
    const evil = "'; echo INJECTED; '";
    expect(sh(cmd`printf %s ${evil}`)).toBe(evil);
  });
});
