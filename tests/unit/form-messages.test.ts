/**
 * Issue 18 item 5 at the source: zod's developer wording never reaches a form, a character is
 * named in words, and a refinement on the whole input runs even when other fields failed.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plural, zodFields } from '@/lib/errors';
import { checkTargetHost } from '@/lib/nginx/grammar';
import { serverCreateInput } from '@/lib/servers/schemas';

const fieldsOf = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a failure');
  return zodFields(r.error);
};

describe('form messages', () => {
  it('replaces zod default messages with words for people', () => {
    const f = fieldsOf(z.object({ n: z.number().min(1), m: z.number(), s: z.string().max(3), e: z.enum(['a', 'b']), r: z.string(), mail: z.email() }), {
      n: 0,
      m: 'x',
      s: 'toolong',
      e: 'c',
      mail: 'nope',
    });
    expect(f).toEqual({
      n: ['Enter a number of at least 1.'],
      m: ['Enter a number.'],
      s: ['Use at most 3 characters.'],
      e: ['Choose one of: a, b.'],
      r: ['This field is required.'],
      mail: ['Enter an e-mail address such as name@example.com.'],
    });
    for (const messages of Object.values(f)) expect(messages.join(' ')).not.toMatch(/Invalid input|Too (small|big)|expected|received/);
  });

  it('keeps a schema’s own message', () => {
    expect(fieldsOf(z.object({ n: z.number({ error: 'Port please.' }) }), { n: 'x' })).toEqual({ n: ['Port please.'] });
  });

  it('names a space or a control character in words', () => {
    expect(checkTargetHost('bad host!')).toEqual({ ok: false, message: 'Host names may contain only letters, digits, hyphens and dots; found a space.' });
    const tab = checkTargetHost('a\tb');
    expect(tab.ok ? '' : tab.message).toContain('a tab');
  });

  it('lists every server field at once: port, host and the missing key in one answer', () => {
    const f = fieldsOf(serverCreateInput, { name: '', host: 'bad host!', sshPort: 70000, authMethod: 'key' });
    expect(Object.keys(f).sort()).toEqual(['host', 'name', 'privateKey', 'sshPort']);
    expect(f.privateKey).toEqual(['Paste the private key.']);
    expect(f.sshPort).toEqual(['Port must be a whole number from 1 to 65535.']);
  });

  it('counts in words', () => {
    expect([plural(1, 'domain'), plural(2, 'changed file'), plural(0, 'task')]).toEqual(['1 domain', '2 changed files', '0 tasks']);
  });
});
