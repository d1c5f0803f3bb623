import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formDataToInput, toFormFields } from '@/lib/http/form-fields';

const form = (entries: Array<[string, string]>) => {
  const fd = new FormData();
  for (const [k, v] of entries) fd.append(k, v);
  return fd;
};

describe('formDataToInput', () => {
  it('reads only the schema keys, with checkbox, number, array and blank-optional rules', () => {
    const schema = z.object({ on: z.boolean().optional(), off: z.boolean().optional(), n: z.number().optional(), tags: z.array(z.string()), pw: z.string().min(8).optional(), note: z.string().optional() });
    const fd = form([['$ACTION_ID_x', '1'], ['on', 'false'], ['on', 'on'], ['off', 'false'], ['n', '42'], ['tags', 'a'], ['tags', ''], ['tags', 'b'], ['pw', ''], ['note', '']]);
    expect(formDataToInput(schema, fd)).toEqual({ on: true, off: false, n: 42, tags: ['a', 'b'], note: '' });
  });

  it('fills a nested object from the form fields the map names, and keeps flat dotted names working', () => {
    const schema = z.object({ acme: z.object({ email: z.string().optional(), directoryUrl: z.string().optional() }), preset: z.string(), 'glances.url': z.string().optional() });
    const fd = form([['email', 'ops@example.test'], ['preset', 'custom'], ['glances.url', 'http://h:61208']]);
    expect(formDataToInput(schema, fd, { email: 'acme.email', directoryUrl: 'acme.directoryUrl' })).toEqual({
      acme: { email: 'ops@example.test' },
      preset: 'custom',
      'glances.url': 'http://h:61208',
    });
  });

  it('names an unmapped nested key by its path; an optional nested object left empty stays out', () => {
    const schema = z.object({ ssl: z.object({ mode: z.string().optional(), http2: z.boolean().optional() }), extra: z.object({ a: z.string().optional() }).optional() });
    expect(formDataToInput(schema, form([['ssl.mode', 'custom'], ['ssl.http2', 'on']]))).toEqual({ ssl: { mode: 'custom', http2: true } });
  });

  it('a map entry whose path the schema does not have leaves the field read by its own name', () => {
    const schema = z.object({ durationMinutes: z.number() });
    expect(formDataToInput(schema, form([['durationMinutes', '5']]), { durationMinutes: 'durationSeconds' })).toEqual({ durationMinutes: 5 });
  });
});

describe('toFormFields', () => {
  it('puts errors of a path, or of anything under it, beside the form field standing for it', () => {
    const errors = { 'dns.servers.0': ['Use an IP address.'], 'dns.servers.2': ['Use an IP address, or ip:port.'], other: ['Kept.'] };
    expect(toFormFields(errors, { servers: 'dns.servers' })).toEqual({ servers: ['Use an IP address.', 'Use an IP address, or ip:port.'], other: ['Kept.'] });
  });

  it('joins the errors of paths sharing one form field and prefers the longest matching path', () => {
    const fields = { target: ['serverId', 'domainId'], card: 'a', cardNumber: 'a.number' };
    expect(toFormFields({ serverId: ['Choose a server.'], domainId: ['Choose a domain.'], 'a.number': ['x'], 'a.b': ['y'] }, fields)).toEqual({
      target: ['Choose a server.', 'Choose a domain.'],
      cardNumber: ['x'],
      card: ['y'],
    });
  });

  it('does not match a path that is only a prefix of the key by name (`acme` vs `acmeKey`)', () => {
    expect(toFormFields({ acmeKey: ['m'] }, { x: 'acme' })).toEqual({ acmeKey: ['m'] });
  });
});
