/**
 * Property: whatever string a schema accepts renders into files whose Nginx structure is exactly
 * the structure of a benign render, with the value sitting in a single token. So no accepted
 * value can add, end or open a statement, block or string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCustomDirectives, formatDirective } from '@/lib/proxy/directives';
import { formatHostPort } from '@/lib/nginx/grammar';
import { parseNginx, type NginxStatement } from '@/lib/nginx/syntax';
import { renderServerConfig } from '@/lib/proxy/render';
import { nginxUpstreamName } from '@/lib/proxy/render-upstreams';
import { domainInput, upstreamInput, type DomainInput, type UpstreamInput } from '@/lib/proxy/schemas';

const baseUpstream = { name: 'app', method: 'least_conn', keepalive: 8, targets: [{ host: '10.0.0.1', port: 8080 }] };
const baseDomain = {
  fqdn: 'app.example.com', aliases: ['www.example.com'], serverId: 'srv-1', upstreamId: 'up-1', customDirectives: '',
  ssl: { mode: 'custom', certificateId: 'cert-1', forceHttps: false, hsts: true }, websocket: true, clientMaxBodySize: '1m',
};

function render(u: UpstreamInput, d: DomainInput, resolved: Record<string, string[]> = {}) {
  const { files } = renderServerConfig({
    server: { id: 'srv-1', managedDir: '/etc/nginx/gatehouse', nginxVersion: '1.22.1' },
    upstreams: [{ id: 'up-1', ...u }],
    domains: [{ id: 'dom-1', ...d }],
    templates: [],
    certificates: [{ id: 'cert-1', certPath: 'certs/c/fullchain.pem', keyPath: 'certs/c/privkey.pem' }],
    resolved,
  });
  return files.map((f) => {
    const parsed = parseNginx(f.content);
    if (!parsed.ok) throw new Error(`${f.path} does not parse: ${parsed.message}`);
    return { path: f.path, content: f.content, statements: parsed.statements };
  });
}

/** Statement names, argument counts and nesting: what an injection would have to change. */
const shape = (list: NginxStatement[]): unknown[] => list.map((s) => [s.name, s.args.length, s.block ? shape(s.block) : null]);
const shapes = (files: ReturnType<typeof render>) => files.map((f) => [f.path.startsWith('domains/') ? 'domain' : f.path, shape(f.statements)]);

const baseline = render(upstreamInput.parse(baseUpstream), domainInput.parse(baseDomain), {});
const all = (list: NginxStatement[]): NginxStatement[] => list.flatMap((s) => [s, ...(s.block ? all(s.block) : [])]);
const statementsOf = (files: ReturnType<typeof render>, name: string) => files.flatMap((f) => all(f.statements)).filter((s) => s.name === name);
const SAFE_TOKEN = /^[\x21-\x7e]+$/;
const UNSAFE = /[;{}"'\\#$\s]/;

const fragments = fc.constantFrom(
  'a', 'z', '0', '9', '-', '.', 'xn--', 'bücher', 'ü', '例', '*.', ';', '{', '}', '"', "'", '\n', '\r', '\\', '$', '#', ' ', '\t',
  '\u037e', '\uff1b', '\u200b', '\u202e', '\u0000', ':', '[', ']', '::1', '10', '.0', 'k', 'm', 'g', 'com', 'example', '/', '%',
  '_', '\u0430', '\uff45', '\u212a', 'include', '${host}',
);
const candidate = fc.oneof(
  fc.array(fragments, { minLength: 1, maxLength: 10 }).map((a) => a.join('')),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.stringMatching(/^[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){0,3}$/),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.stringMatching(/^[0-9]{1,5}[kmgKMG]?$/),
);

/** Runs the property and checks enough candidates were accepted for it to mean something. */
function property(check: (value: string) => boolean, minAccepted: number) {
  let accepted = 0;
  fc.assert(
    fc.property(candidate, (value) => {
      if (check(value)) accepted++;
    }),
    { numRuns: 400, seed: 20240917 },
  );
  expect(accepted).toBeGreaterThanOrEqual(minAccepted);
}

describe('accepted values render as single tokens', () => {
  it('domain fqdn', () => {
    property((value) => {
      const d = domainInput.safeParse({ ...baseDomain, fqdn: value });
      if (!d.success) return false;
      const files = render(upstreamInput.parse(baseUpstream), d.data);
      expect(shapes(files)).toEqual(shapes(baseline));
      expect(d.data.fqdn).toMatch(SAFE_TOKEN);
      expect(d.data.fqdn).not.toMatch(UNSAFE);
      for (const s of statementsOf(files, 'server_name')) expect(s.args).toEqual([d.data.fqdn, 'www.example.com']);
      expect(files.map((f) => f.path)).toContain(`domains/${d.data.fqdn}.conf`);
      return true;
    }, 40);
  });

  it('domain alias', () => {
    property((value) => {
      const d = domainInput.safeParse({ ...baseDomain, aliases: [value] });
      if (!d.success) return false;
      const files = render(upstreamInput.parse(baseUpstream), d.data);
      expect(shapes(files)).toEqual(shapes(baseline));
      expect(d.data.aliases[0]).toMatch(SAFE_TOKEN);
      expect(d.data.aliases[0].replace(/^\*\./, '')).not.toMatch(UNSAFE);
      for (const s of statementsOf(files, 'server_name')) expect(s.args).toEqual(['app.example.com', d.data.aliases[0]]);
      return true;
    }, 40);
  });

  it('client_max_body_size', () => {
    property((value) => {
      const d = domainInput.safeParse({ ...baseDomain, clientMaxBodySize: value });
      if (!d.success) return false;
      const files = render(upstreamInput.parse(baseUpstream), d.data);
      expect(shapes(files)).toEqual(shapes(baseline));
      for (const s of statementsOf(files, 'client_max_body_size')) expect(s.args).toEqual([d.data.clientMaxBodySize]);
      return true;
    }, 20);
  });

  it('upstream name', () => {
    property((value) => {
      const u = upstreamInput.safeParse({ ...baseUpstream, name: value });
      if (!u.success) return false;
      const files = render(u.data, domainInput.parse(baseDomain));
      expect(shapes(files)).toEqual(shapes(baseline));
      const name = nginxUpstreamName({ id: 'up-1', name: u.data.name });
      expect(name).toMatch(/^gh_[a-z0-9_]+_[0-9a-f]{8}$/);
      expect(statementsOf(files, 'upstream')[0].args).toEqual([name]);
      return true;
    }, 40);
  });

  it('upstream target host, resolved or not', () => {
    property((value) => {
      const u = upstreamInput.safeParse({ ...baseUpstream, targets: [{ host: value, port: 8080 }] });
      if (!u.success) return false;
      const host = u.data.targets[0].host;
      expect(host).toMatch(SAFE_TOKEN);
      expect(host).not.toMatch(/[;{}"'\\#$\s[\]]/);
      const isName = /[a-z]/.test(host) && !host.includes(':');
      for (const resolved of [{}, { [host]: ['10.9.9.9'] }]) {
        const files = render(u.data, domainInput.parse(baseDomain), resolved);
        // Compared with a benign target of the same kind: an unresolved name adds "down".
        const benign = isName ? render(upstreamInput.parse({ ...baseUpstream, targets: [{ host: 'backend', port: 8080 }] }), domainInput.parse(baseDomain), Object.keys(resolved).length ? { backend: ['10.9.9.9'] } : {}) : baseline;
        expect(shapes(files)).toEqual(shapes(benign));
        const server = statementsOf(files, 'upstream')[0].block!.find((s) => s.name === 'server')!;
        const expected = !isName ? formatHostPort(host, 8080) : Object.keys(resolved).length ? '10.9.9.9:8080' : '127.0.0.1:8080';
        expect(server.args[0]).toBe(expected);
        // A host name appears only in a whole-line comment, never as a config token.
        if (isName) expect(files.find((f) => f.path === 'upstreams.conf')!.content).toMatch(new RegExp(`\\n {4}# ${host.replace(/\./g, '\\.')}:8080( did not resolve[^\\n]*)?\\n`));
      }
      return true;
    }, 60);
  });

  it('custom directives add exactly the statements that were checked', () => {
    // Mostly well-formed statements with random values, quoted or not, plus some junk.
    const value = fc.oneof(fc.constantFrom('x', '""', '"a;b"', "'c d'", '"{ }"', '"#x"', '$host', '"$scheme://$host"'), candidate.map((v) => `"${v}"`), candidate);
    const header = fc.oneof(fc.constantFrom('X-A', 'Cache-Control', 'X-Forwarded-Host'), candidate);
    const statement = fc.oneof(
      fc.tuple(fc.constant('proxy_set_header'), header, value).map((a) => a.join(' ')),
      fc.tuple(fc.constant('add_header'), header, value, fc.constantFrom('', 'always')).map((a) => a.join(' ')),
      fc.tuple(fc.constantFrom('proxy_read_timeout', 'send_timeout'), fc.oneof(fc.constantFrom('30s', '5m', '10'), candidate)).map((a) => a.join(' ')),
      fc.tuple(fc.constantFrom('gzip', 'proxy_buffering'), fc.constantFrom('on', 'off', 'yes')).map((a) => a.join(' ')),
      fc.tuple(fc.constant('gzip_types'), fc.array(fc.oneof(fc.constantFrom('text/css', 'application/json'), candidate), { minLength: 1, maxLength: 3 })).map(([n, t]) => `${n} ${t.join(' ')}`),
      fc.tuple(fc.constantFrom('allow', 'deny'), fc.oneof(fc.constantFrom('all', '10.0.0.0/8', '::1'), candidate)).map((a) => a.join(' ')),
      fc.tuple(fc.constantFrom('include', 'root', 'access_log', 'expires'), candidate).map((a) => a.join(' ')),
    );
    const directive = fc.tuple(statement, fc.constantFrom(';', ';', ';\n', ';\r\n', ' ; ', '', '}', '{')).map(([st, end]) => st + end);
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(directive, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.join('');
        const d = domainInput.safeParse({ ...baseDomain, customDirectives: text });
        if (!d.success) return;
        accepted++;
        const checked = checkCustomDirectives(text);
        if (!checked.ok) throw new Error('schema and checker disagree');
        const files = render(upstreamInput.parse(baseUpstream), d.data);
        const locations = statementsOf(files, 'location').filter((l) => l.args[0] === '/');
        const base = statementsOf(baseline, 'location').filter((l) => l.args[0] === '/');
        locations.forEach((loc, i) => {
          const added = loc.block!.slice(base[i].block!.length);
          expect(added.map((s) => [s.name, ...s.args])).toEqual(checked.value.map((c) => [c.name, ...c.args]));
          expect(added.every((s) => !s.block)).toBe(true);
        });
        expect(checked.value.map(formatDirective).every((l) => !l.includes('\n'))).toBe(true);
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(accepted).toBeGreaterThanOrEqual(20);
  });
});
