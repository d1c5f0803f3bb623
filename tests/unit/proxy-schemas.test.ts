import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { domainInput, domainPatch, templateInput, upstreamInput, upstreamPatch } from '@/lib/proxy/schemas';
import { blankValues, injectionCorpus } from './proxy-injection-corpus';

const upstream = () => ({
  name: 'app',
  method: 'round_robin',
  keepalive: 16,
  healthCheck: { type: 'http', path: '/healthz', intervalSeconds: 30 },
  targets: [{ host: '10.0.0.1', port: 8080, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 }],
});

const domain = () => ({
  fqdn: 'app.example.com',
  aliases: ['www.example.com'],
  serverId: 'srv-1',
  upstreamId: 'up-1',
  templateId: null,
  ssl: { mode: 'custom', certificateId: 'cert-1', forceHttps: true, hsts: true, http2: true },
  websocket: true,
  clientMaxBodySize: '10m',
  customDirectives: 'gzip on;',
  nameservers: { expected: ['ns1.example.net'], pattern: '*.ns.cloudflare.com' },
});

type Path = (string | number)[];

function setAt(obj: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return copy;
}

const upstreamFields: Path[] = [
  ['name'], ['method'], ['keepalive'], ['healthCheck'], ['healthCheck', 'type'], ['healthCheck', 'path'],
  ['healthCheck', 'intervalSeconds'], ['targets'], ['targets', 0], ['targets', 0, 'host'], ['targets', 0, 'port'],
  ['targets', 0, 'weight'], ['targets', 0, 'backup'], ['targets', 0, 'maxFails'], ['targets', 0, 'failTimeoutSeconds'],
];
const domainFields: Path[] = [
  ['fqdn'], ['aliases'], ['aliases', 0], ['serverId'], ['upstreamId'], ['templateId'], ['ssl'], ['ssl', 'mode'],
  ['ssl', 'certificateId'], ['ssl', 'forceHttps'], ['ssl', 'hsts'], ['ssl', 'http2'], ['websocket'], ['clientMaxBodySize'],
  ['customDirectives'], ['nameservers'], ['nameservers', 'expected'], ['nameservers', 'expected', 0], ['nameservers', 'pattern'],
];

/** Every corpus value at `path` must fail, with a readable message on that field (or inside it). */
function corpusFailures(schema: z.ZodType, base: unknown, path: Path, corpus: readonly string[]): string[] {
  const failures: string[] = [];
  for (const attack of corpus) {
    const r = schema.safeParse(setAt(base, path, attack));
    if (r.success) {
      failures.push(`accepted ${JSON.stringify(attack).slice(0, 80)}`);
      continue;
    }
    const issue = r.error.issues.find((i) => path.every((p, n) => i.path[n] === p));
    if (!issue || issue.message.length < 5) failures.push(`no readable error at ${path.join('.')} for ${JSON.stringify(attack).slice(0, 80)}`);
  }
  return failures;
}

describe('the injection corpus', () => {
  it('holds at least 100 attempts', () => {
    expect(injectionCorpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(injectionCorpus).size).toBe(injectionCorpus.length);
  });

  it('base records are valid, so each rejection below is the attack\'s doing', () => {
    expect(upstreamInput.safeParse(upstream()).success).toBe(true);
    expect(domainInput.safeParse(domain()).success).toBe(true);
  });

  it.each(upstreamFields.map((p) => [p.join('.'), p] as const))('is refused in upstream field %s', (_name, path) => {
    expect(corpusFailures(upstreamInput, upstream(), path, injectionCorpus)).toEqual([]);
    expect(corpusFailures(upstreamPatch, upstream(), path, injectionCorpus)).toEqual([]);
    expect(corpusFailures(upstreamInput, upstream(), path, blankValues)).toEqual([]);
  });

  it.each(domainFields.map((p) => [p.join('.'), p] as const))('is refused in domain field %s', (name, path) => {
    expect(corpusFailures(domainInput, domain(), path, injectionCorpus)).toEqual([]);
    expect(corpusFailures(domainPatch, domain(), path, injectionCorpus)).toEqual([]);
    if (name !== 'customDirectives') expect(corpusFailures(domainInput, domain(), path, blankValues)).toEqual([]);
  });

  it('blank custom directives mean none', () => {
    for (const blank of blankValues) expect(domainInput.parse({ ...domain(), customDirectives: blank }).customDirectives).toBe(blank);
  });

  it('is refused as an unknown key', () => {
    for (const attack of injectionCorpus.slice(0, 40)) {
      expect(upstreamInput.safeParse({ ...upstream(), [attack]: 'x' }).success).toBe(false);
      expect(domainInput.safeParse({ ...domain(), [attack]: 'x' }).success).toBe(false);
    }
  });
});

describe('upstreamInput', () => {
  it('fills defaults and normalises hosts', () => {
    const u = upstreamInput.parse({ name: 'api', targets: [{ host: 'Bücher.Example', port: 80 }, { host: '[2001:DB8::1]', port: 81 }] });
    expect(u).toEqual({
      name: 'api',
      method: 'round_robin',
      targets: [
        { host: 'xn--bcher-kva.example', port: 80, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 },
        { host: '2001:db8::1', port: 81, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 },
      ],
    });
  });

  it('refuses backup targets with ip_hash, on the target that has one', () => {
    const r = upstreamInput.safeParse({
      name: 'api',
      method: 'ip_hash',
      targets: [{ host: '10.0.0.1', port: 80 }, { host: '10.0.0.2', port: 80, backup: true }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toMatchObject([{ path: ['targets', 1, 'backup'], message: expect.stringMatching(/ip_hash/) }]);
    expect(upstreamPatch.safeParse({ method: 'ip_hash', targets: [{ host: '10.0.0.1', port: 80 }, { host: 'b', port: 80, backup: true }] }).success).toBe(false);
  });

  it('refuses empty pools, all-backup pools and duplicate targets', () => {
    expect(upstreamInput.safeParse({ name: 'a', targets: [] }).error?.issues[0].message).toBe('Add at least one target.');
    expect(upstreamInput.safeParse({ name: 'a', targets: [{ host: 'b', port: 1, backup: true }] }).error?.issues[0].message).toMatch(/not be a backup/);
    const dup = upstreamInput.safeParse({ name: 'a', targets: [{ host: 'B', port: 1 }, { host: 'b', port: 1 }] });
    expect(dup.error?.issues).toMatchObject([{ path: ['targets', 1, 'host'], message: 'b:1 is listed twice.' }]);
  });

  it('gives readable messages for numbers out of range and unknown keys', () => {
    const r = upstreamInput.safeParse({ name: 'a', extra: 1, targets: [{ host: 'b', port: 70000, weight: 0 }] });
    const messages = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'targets.0.port: Port must be a whole number from 1 to 65535.',
        'targets.0.weight: Weight must be a whole number from 1 to 1000.',
        expect.stringMatching(/extra/),
      ]),
    );
  });

  it('patches carry no defaults', () => {
    expect(upstreamPatch.parse({ keepalive: null })).toEqual({ keepalive: null });
    expect(upstreamPatch.parse({})).toEqual({});
  });

  it('health checks: a path only for HTTP', () => {
    expect(upstreamInput.safeParse({ ...upstream(), healthCheck: { type: 'tcp', path: '/x' } }).success).toBe(false);
    expect(upstreamInput.safeParse({ ...upstream(), healthCheck: { type: 'tcp', intervalSeconds: 10 } }).success).toBe(true);
  });
});

describe('domainInput', () => {
  it('fills defaults and converts IDN to punycode', () => {
    const d = domainInput.parse({ fqdn: 'München.Example.com', aliases: ['*.münchen.example.com'], serverId: 's', upstreamId: 'u' });
    expect(d).toEqual({
      fqdn: 'xn--mnchen-3ya.example.com',
      aliases: ['*.xn--mnchen-3ya.example.com'],
      serverId: 's',
      upstreamId: 'u',
      redirect: null,
      accessListId: null,
      locations: [],
      templateId: null,
      ssl: { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true },
      websocket: false,
      clientMaxBodySize: '1m',
      customDirectives: '',
      logs: { access: true, error: true },
      nameservers: { expected: [], pattern: null },
      tags: [],
    });
  });

  it('refuses aliases repeating a name, wildcard fqdns and SSL options without SSL', () => {
    const r = domainInput.safeParse({ ...domain(), aliases: ['APP.example.com'] });
    expect(r.error?.issues).toMatchObject([{ path: ['aliases', 0], message: 'app.example.com is already one of this domain\'s names.' }]);
    expect(domainInput.safeParse({ ...domain(), fqdn: '*.example.com' }).error?.issues[0].message).toMatch(/Wildcards are not allowed here/);
    const ssl = domainInput.safeParse({ ...domain(), ssl: { mode: 'none', forceHttps: true, hsts: true } });
    expect(ssl.error?.issues.map((i) => i.path.join('.'))).toEqual(['ssl.forceHttps', 'ssl.hsts']);
    expect(domainInput.safeParse({ ...domain(), ssl: { mode: 'custom' } }).error?.issues[0].message).toBe('Choose the certificate to serve.');
    expect(domainInput.safeParse({ ...domain(), ssl: { mode: 'acme' } }).success).toBe(true);
  });

  it('reports custom directive errors with their line', () => {
    const r = domainInput.safeParse({ ...domain(), customDirectives: 'gzip on;\ninclude /etc/passwd;' });
    expect(r.error?.issues).toMatchObject([{ path: ['customDirectives'], message: expect.stringMatching(/^Line 2: "include" is not allowed/) }]);
  });

  it('patches change only what they name, nested parts included', () => {
    expect(domainPatch.parse({ ssl: { forceHttps: true } })).toEqual({ ssl: { forceHttps: true } });
    expect(domainPatch.parse({ nameservers: { pattern: null } })).toEqual({ nameservers: { pattern: null } });
    expect(domainPatch.safeParse({ ssl: { mode: 'none', hsts: true } }).success).toBe(false);
  });
});

describe('templateInput', () => {
  it('accepts a valid template and reports syntax errors with their line', () => {
    expect(templateInput.safeParse({ name: 'Mine', kind: 'http', body: 'server { listen {{ listen.http }}; }' }).success).toBe(true);
    const r = templateInput.safeParse({ name: 'Mine', kind: 'http', body: 'a\nb\n{% include "/etc/passwd" %}' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['body'], message: expect.stringMatching(/^Line 3: .*include/) });
    expect(templateInput.safeParse({ name: 'x\u202E', kind: 'http', body: 'x' }).success).toBe(false);
    expect(templateInput.safeParse({ name: 'x', kind: 'stream', body: 'x' }).error?.issues[0].message).toBe('Kind must be one of: http, ssl.');
  });
});
