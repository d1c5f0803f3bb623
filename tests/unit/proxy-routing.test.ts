/**
 * Redirects, locations and access lists below the API: the grammar for their values, SHA-512
 * crypt against the specification's vectors and OpenSSL, the rendered statements, and an
 * admin template that would drop them being refused.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkAccessSource, checkHtpasswdUser, checkLocationPath, checkRedirectUrl } from '@/lib/nginx/grammar';
import { ConfigRenderError } from '@/lib/nginx/errors';
import { cryptSalt, sha512Crypt, verifySha512Crypt } from '@/lib/crypto/sha512-crypt';
import { renderServerConfig } from '@/lib/proxy/render';
import { domainInput, accessListInput } from '@/lib/proxy/schemas';
import type { AccessList, Domain, RenderInput } from '@/lib/proxy/types';

const value = (r: { ok: boolean; value?: string; message?: string }) => (r.ok ? r.value : `ERR ${r.message}`);

describe('the grammar of the new fields', () => {
  it('accepts plain redirect URLs and normalises them; refuses anything that could leave one word', () => {
    expect(value(checkRedirectUrl('HTTPS://Example.ORG'))).toBe('https://example.org');
    expect(value(checkRedirectUrl('https://bücher.example/a/b?x=1'))).toBe('https://xn--bcher-kva.example/a/b?x=1');
    expect(value(checkRedirectUrl('http://[2001:DB8::1]:8080/p'))).toBe('http://[2001:db8::1]:8080/p');
    expect(value(checkRedirectUrl('http://10.0.0.1/'))).toBe('http://10.0.0.1/');
    for (const bad of ['javascript:alert(1)', 'ftp://x.org', '//x.org', 'https://x.org/$host', 'https://x.org/a b', 'https://x.org/;return 200', 'https://x.org/a"b',
      'https://x.org/{', 'https://x.org/#frag', 'https://x.org:0/', 'https://x.org:65536/', 'https://user@x.org/', 'https://x.org/\n', 'https://x.org/../etc']) {
      expect(checkRedirectUrl(bad).ok, bad).toBe(false);
    }
    expect(checkRedirectUrl('https://x.org/?a=1', { withQuery: false }).ok).toBe(false);
  });

  it('takes location paths, user names and address sources in their narrow alphabets', () => {
    expect(value(checkLocationPath('/api/v1/'))).toBe('/api/v1/');
    for (const bad of ['/', 'api', '/a b', '/a;b', '/a{', '/$uri', '/a/../b', '/a//b', '/%2e', '/.well-known/acme-challenge/x', '/a?b']) expect(checkLocationPath(bad).ok, bad).toBe(false);
    expect(checkHtpasswdUser('alice.b@example.com').ok).toBe(true);
    for (const bad of ['', 'a:b', 'a\nb', 'a b', 'ä', 'x'.repeat(65)]) expect(checkHtpasswdUser(bad).ok, bad).toBe(false);
    expect(value(checkAccessSource('10.0.0.0/8'))).toBe('10.0.0.0/8');
    expect(value(checkAccessSource('2001:DB8:0::/32'))).toBe('2001:db8::/32');
    expect(value(checkAccessSource('all'))).toBe('all');
    for (const bad of ['10.0.0.0/33', '010.0.0.1', '10.0.0.1/08', '::/129', 'ALL', 'example.com', '10.0.0.1;', '10.0.0.1 all', '']) expect(checkAccessSource(bad).ok, bad).toBe(false);
  });

  it('a domain needs an upstream or a redirect; a location one of the two, not both', () => {
    const base = { fqdn: 'a.example.com', serverId: 's' };
    expect(domainInput.safeParse(base).error?.issues.map((i) => i.path.join('.'))).toEqual(['upstreamId']);
    expect(domainInput.parse({ ...base, redirect: { url: 'https://b.example.com' } }).redirect).toEqual({ url: 'https://b.example.com', code: 301, preservePath: true });
    expect(domainInput.safeParse({ ...base, redirect: { url: 'https://b.example.com', code: 303 } }).success).toBe(false);
    expect(domainInput.safeParse({ ...base, redirect: { url: 'https://b.example.com/?q=1' } }).error?.issues[0].path.join('.')).toBe('redirect.url');
    const loc = (l: object) => domainInput.safeParse({ ...base, upstreamId: 'u', locations: [{ path: '/x/', ...l }] }).error?.issues.map((i) => i.path.join('.'));
    expect(loc({})).toEqual(['locations.0.upstreamId']);
    expect(loc({ upstreamId: 'u', redirect: { url: 'https://c.example.com' } })).toEqual(['locations.0.redirect']);
    expect(domainInput.safeParse({ ...base, upstreamId: 'u', locations: [{ path: '/x/', upstreamId: 'u' }, { path: '/x/', upstreamId: 'u' }] }).error?.issues[0].path.join('.')).toBe('locations.1.path');
    expect(accessListInput.safeParse({ name: 'x', users: [{ username: 'a', password: 'p' }, { username: 'a', password: 'q' }] }).error?.issues[0].path.join('.')).toBe('users.1.username');
  });
});

describe('SHA-512 crypt', () => {
  it('matches the vectors of the specification', () => {
    // https://www.akkadia.org/drepper/SHA-crypt.txt, "Test vectors" (SHA-512).
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe('$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1');
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe('$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.');
    expect(sha512Crypt('This is just a test', 'toolongsaltstring', 5000)).toBe('$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0');
    expect(sha512Crypt('we have a short salt string but not a short password', 'short', 77777)).toBe('$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0');
    // glibc's crypt(3) (through perl), which is what Nginx calls on Linux.
    expect(sha512Crypt('a very much longer text to encrypt.  This one even stretches over morethan one line.', 'asaltof16chars..', 1400)).toBe('$6$rounds=1400$asaltof16chars..$A04YeHZ50HBLMQH3ql.6UqosFpgQyaqQtUr5vzoZ0AaVe5VfbmQNEPphPGb/K49lN2OJ/0SlclayQg0bhzN0/.');
    // Fewer than 1000 rounds count as 1000 (the specification's minimum).
    expect(sha512Crypt('x', 'roundstoolow', 10)).toBe(sha512Crypt('x', 'roundstoolow', 1000));
  });

  it('agrees with openssl passwd -6 and verifies what it made', () => {
    for (const pw of ['correct horse', 'pässwörd', 'x', 'a'.repeat(100)]) {
      const salt = cryptSalt();
      const ours = sha512Crypt(pw, salt);
      const theirs = execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: pw }).toString().trim();
      expect(ours).toBe(theirs);
      expect(verifySha512Crypt(pw, ours)).toBe(true);
      expect(verifySha512Crypt(`${pw}!`, ours)).toBe(false);
    }
  });
});

const target = (host: string) => ({ host, port: 8080, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 });
const list: AccessList = { id: 'al-1', name: 'staff', satisfy: 'any', users: [{ username: 'alice', hash: sha512Crypt('pw', 'saltsalt') }], rules: [{ action: 'allow', source: '10.0.0.0/8' }, { action: 'deny', source: 'all' }] };

function input(domain: Partial<Domain>, over: Partial<RenderInput> = {}): RenderInput {
  return {
    server: { id: 'srv-1', managedDir: '/etc/nginx/gatehouse', nginxVersion: '1.22.1' },
    upstreams: [
      { id: 'up-1', name: 'app', method: 'round_robin', targets: [target('10.0.0.1')] },
      { id: 'up-2', name: 'api', method: 'round_robin', targets: [target('10.0.0.2')] },
    ],
    accessLists: [list],
    domains: [{
      id: 'dom-1', fqdn: 'app.example.com', aliases: [], serverId: 'srv-1', upstreamId: 'up-1', templateId: null,
      ssl: { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true }, websocket: false, clientMaxBodySize: '1m', customDirectives: '', ...domain,
    }],
    templates: [],
    certificates: [],
    ...over,
  };
}
const domainFile = (i: RenderInput) => renderServerConfig(i).files.find((f) => f.path === 'domains/app.example.com.conf')!.content;

describe('rendering', () => {
  it('renders a redirect, locations and access control in their blocks, never on the ACME location', () => {
    const text = domainFile(input({
      upstreamId: null,
      redirect: { url: 'https://new.example.org/', code: 308, preservePath: true },
      accessListId: 'al-1',
      locations: [{ path: '/api/', upstreamId: 'up-2', redirect: null, websocket: true, clientMaxBodySize: '5m', accessListId: null }],
    }));
    expect(text).toContain('return 308 https://new.example.org$request_uri;');
    expect(text).toMatch(/location \/api\/ \{\n {8}satisfy any;\n {8}allow 10\.0\.0\.0\/8;\n {8}deny all;\n {8}auth_basic "Restricted";\n {8}auth_basic_user_file \/etc\/nginx\/gatehouse\/access\/al-1\.htpasswd;\n {8}client_max_body_size 5m;\n {8}proxy_pass http:\/\/gh_api_/);
    expect(text).toMatch(/location \^~ \/\.well-known\/acme-challenge\/ \{\n[^}]*root[^}]*\}/);
    expect(text.split('location ^~')[1].split('}')[0]).not.toContain('auth_basic');
    const ups = renderServerConfig(input({ upstreamId: null, redirect: { url: 'https://x.example.org', code: 301, preservePath: false }, locations: [{ path: '/api/', upstreamId: 'up-2', redirect: null, websocket: false, clientMaxBodySize: '1m', accessListId: null }] })).files.find((f) => f.path === 'upstreams.conf')!.content;
    expect(ups).toContain('10.0.0.2');
    expect(ups).not.toContain('10.0.0.1');
  });

  it('refuses an admin template that would drop a redirect, a location or an access list', () => {
    const body = `server {\n    listen {{ listen.http }};\n    server_name {{ domain.serverNames }};\n    location ^~ /.well-known/acme-challenge/ { root {{ acme.root }}; }\n    location / { proxy_pass http://{{ upstream.name }}; }\n}\n`;
    const templates = [{ id: 'tpl-1', name: 'old', kind: 'http' as const, body }];
    expect(() => domainFile(input({ templateId: 'tpl-1' }, { templates }))).not.toThrow();
    for (const extra of [
      { accessListId: 'al-1' },
      { locations: [{ path: '/api/', upstreamId: 'up-2', redirect: null, websocket: false, clientMaxBodySize: '1m', accessListId: null }] },
      { redirect: { url: 'https://x.example.org', code: 301 as const, preservePath: true } },
    ]) {
      expect(() => domainFile(input({ templateId: 'tpl-1', ...extra }, { templates })), JSON.stringify(extra)).toThrow(ConfigRenderError);
    }
  });

  it('re-checks stored values: a bad location path or source in the database never reaches a file', () => {
    expect(() => domainFile(input({ locations: [{ path: '/a;b', upstreamId: 'up-2', redirect: null, websocket: false, clientMaxBodySize: '1m', accessListId: null }] }))).toThrow(ConfigRenderError);
    expect(() => domainFile(input({ accessListId: 'al-1' }, { accessLists: [{ ...list, rules: [{ action: 'allow', source: '1.2.3.4; include /etc/passwd' }] }] }))).toThrow(ConfigRenderError);
    expect(() => domainFile(input({ redirect: { url: 'https://x.org/$host', code: 301, preservePath: false } }))).toThrow(ConfigRenderError);
  });
});

describe('the console forms', async () => {
  const { domainInputFromForm, accessListInputFromForm } = await import('@/lib/proxy/forms');
  it('build redirects, locations and access lists from flat fields', () => {
    const d = domainInputFromForm({
      fqdn: 'a.example.com', serverId: 's', upstreamId: '', 'redirect.url': ' https://b.example.com/ ', 'redirect.code': '308', 'redirect.preservePath': false, accessListId: 'al',
      'locations.0.path': '/api/', 'locations.0.upstreamId': 'u', 'locations.0.redirect.url': 'https://ignored.example.com', 'locations.0.websocket': true,
      'locations.2.path': '/old/', 'locations.2.upstreamId': '', 'locations.2.redirect.url': 'https://c.example.com', 'locations.2.redirect.preservePath': true, 'locations.2.clientMaxBodySize': '5m',
    } as never);
    expect(d).toMatchObject({
      upstreamId: null, accessListId: 'al', redirect: { url: 'https://b.example.com/', code: 308, preservePath: false },
      locations: [
        { path: '/api/', upstreamId: 'u', redirect: null, websocket: true, clientMaxBodySize: '1m', accessListId: null },
        { path: '/old/', upstreamId: null, redirect: { url: 'https://c.example.com', code: 301, preservePath: true }, websocket: false, clientMaxBodySize: '5m', accessListId: null },
      ],
    });
    expect(domainInputFromForm({ fqdn: 'a.example.com', serverId: 's', upstreamId: 'u', 'redirect.url': '' } as never).redirect).toBeNull();
    const a = accessListInputFromForm({ name: 'x', satisfy: 'any', 'users.0.username': 'alice', 'users.0.password': '', 'users.1.username': 'bob', 'users.1.password': 'pw', 'rules.0.action': 'deny', 'rules.0.source': 'all' });
    expect(a).toEqual({ name: 'x', satisfy: 'any', users: [{ username: 'alice' }, { username: 'bob', password: 'pw' }], rules: [{ action: 'deny', source: 'all' }] });
  });
});
