import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigRenderError } from '@/lib/nginx/errors';
import { parseNginx, type NginxStatement } from '@/lib/nginx/syntax';
import { renderServerConfig, templateContextFor } from '@/lib/proxy/render';
import { nginxUpstreamName } from '@/lib/proxy/render-upstreams';
import type { Domain, RenderInput, Upstream } from '@/lib/proxy/types';

const target = (host: string, port = 8080, extra: Partial<Upstream['targets'][number]> = {}) => ({
  host, port, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10, ...extra,
});

function makeDomain(over: Partial<Domain> = {}): Domain {
  return {
    id: 'dom-1', fqdn: 'app.example.com', aliases: [], serverId: 'srv-1', upstreamId: 'up-1', templateId: null,
    ssl: { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true },
    websocket: false, clientMaxBodySize: '1m', customDirectives: '', ...over,
  };
}

function makeInput(over: Partial<RenderInput> = {}): RenderInput {
  return {
    server: { id: 'srv-1', managedDir: '/etc/nginx/gatehouse', nginxVersion: '1.22.1' },
    upstreams: [{ id: 'up-1', name: 'app', method: 'round_robin', targets: [target('10.0.0.1')] }],
    domains: [makeDomain()],
    templates: [],
    certificates: [{ id: 'cert-1', certPath: 'certs/cert-1/fullchain.pem', keyPath: 'certs/cert-1/privkey.pem' }],
    ...over,
  };
}

const fileOf = (input: RenderInput, path: string) => {
  const f = renderServerConfig(input).files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path}`);
  return f.content;
};

function tree(text: string): NginxStatement[] {
  const r = parseNginx(text);
  if (!r.ok) throw new Error(r.message);
  return r.statements;
}
const find = (list: NginxStatement[], name: string) => list.filter((s) => s.name === name);
const upstreamBlock = (text: string) => find(tree(text), 'upstream')[0].block!;
const servers = (text: string) => find(tree(text), 'server').map((s) => s.block!);
const line = (s: NginxStatement) => [s.name, ...s.args].join(' ');

function renderError(input: RenderInput): ConfigRenderError {
  try {
    renderServerConfig(input);
  } catch (err) {
    if (err instanceof ConfigRenderError) return err;
    throw err;
  }
  throw new Error('rendered without error');
}

describe('renderServerConfig: files', () => {
  it('is deterministic, whatever the order of its input', () => {
    const input = makeInput({
      upstreams: [
        { id: 'up-1', name: 'app', method: 'round_robin', targets: [target('10.0.0.1')] },
        { id: 'up-2', name: 'api', method: 'least_conn', targets: [target('10.0.0.2')] },
      ],
      domains: [makeDomain(), makeDomain({ id: 'dom-2', fqdn: 'api.example.com', upstreamId: 'up-2' })],
      resolved: { 'b.internal': ['10.0.0.9', '10.0.0.8'] },
    });
    const first = renderServerConfig(input);
    const shuffled = { ...input, upstreams: [...input.upstreams].reverse(), domains: [...input.domains].reverse(), resolved: { 'b.internal': ['10.0.0.8', '10.0.0.9', '10.0.0.8'] } };
    expect(renderServerConfig(shuffled)).toEqual(first);
    expect(renderServerConfig(structuredClone(input))).toEqual(first);
    expect(first.files.map((f) => f.path)).toEqual(['domains/api.example.com.conf', 'domains/app.example.com.conf', 'upstreams.conf']);
    for (const f of first.files) expect(f.sha256).toBe(createHash('sha256').update(f.content).digest('hex'));
  });

  it('renders only this server\'s domains and the upstreams they use', () => {
    const input = makeInput({
      upstreams: [
        { id: 'up-1', name: 'app', method: 'round_robin', targets: [target('10.0.0.1')] },
        { id: 'up-x', name: 'unused', method: 'round_robin', targets: [target('10.0.0.3')] },
      ],
      domains: [makeDomain(), makeDomain({ id: 'dom-9', fqdn: 'other.example.com', serverId: 'srv-2' })],
    });
    const files = renderServerConfig(input).files;
    expect(files.map((f) => f.path)).toEqual(['domains/app.example.com.conf', 'upstreams.conf']);
    expect(find(tree(files[1].content), 'upstream').map((s) => s.args[0])).toEqual([nginxUpstreamName({ id: 'up-1', name: 'app' })]);
  });

  it('renders an empty server as the websocket map alone', () => {
    const files = renderServerConfig(makeInput({ domains: [] })).files;
    expect(files.map((f) => f.path)).toEqual(['upstreams.conf']);
    expect(find(tree(files[0].content), 'map').map(line)).toEqual(['map $http_upgrade $gh_connection_upgrade']);
  });
});

describe('renderServerConfig: upstreams', () => {
  it('renders every target with weight, max_fails, fail_timeout and backup', () => {
    const input = makeInput({
      upstreams: [{
        id: 'up-1', name: 'app', method: 'least_conn', keepalive: 32,
        targets: [target('10.0.0.1', 80, { weight: 5, maxFails: 3, failTimeoutSeconds: 30 }), target('2001:db8::7', 81), target('10.0.0.3', 82, { backup: true, maxFails: 0 })],
      }],
    });
    const block = upstreamBlock(fileOf(input, 'upstreams.conf'));
    expect(block.map(line)).toEqual([
      'least_conn',
      'server 10.0.0.1:80 weight=5 max_fails=3 fail_timeout=30s',
      'server [2001:db8::7]:81 weight=1 max_fails=1 fail_timeout=10s',
      'server 10.0.0.3:82 weight=1 max_fails=0 fail_timeout=10s backup',
      'keepalive 32',
    ]);
  });

  it('writes ip_hash, and nothing for round robin', () => {
    const ip = makeInput({ upstreams: [{ id: 'up-1', name: 'app', method: 'ip_hash', targets: [target('10.0.0.1'), target('10.0.0.2')] }] });
    expect(upstreamBlock(fileOf(ip, 'upstreams.conf'))[0].name).toBe('ip_hash');
    expect(upstreamBlock(fileOf(makeInput(), 'upstreams.conf')).map((s) => s.name)).toEqual(['server']);
  });

  it('names upstreams gh_<slug>_<hash of id>, unique per record', () => {
    const a = nginxUpstreamName({ id: 'one', name: 'my-app' });
    expect(a).toMatch(/^gh_my_app_[0-9a-f]{8}$/);
    expect(nginxUpstreamName({ id: 'two', name: 'my-app' })).not.toBe(a);
    const location = find(servers(fileOf(makeInput(), 'domains/app.example.com.conf'))[0], 'location')[1].block!;
    expect(location[0].args).toEqual([`http://${nginxUpstreamName({ id: 'up-1', name: 'app' })}`]);
  });

  describe('host names never reach a server line (an unresolvable one would stop Nginx)', () => {
    const input = makeInput({
      upstreams: [{ id: 'up-1', name: 'app', method: 'round_robin', targets: [target('app.internal', 9000, { weight: 2 }), target('gone.invalid', 9001), target('v6.internal', 9002, { backup: true })] }],
      resolved: { 'app.internal': ['10.1.0.2', '10.1.0.1', '10.1.0.2'], 'v6.internal': ['2001:DB8::2'] },
    });
    const text = fileOf(input, 'upstreams.conf');

    it('one server line per resolved address, sorted and deduplicated', () => {
      expect(upstreamBlock(text).map(line)).toEqual([
        'server 10.1.0.1:9000 weight=2 max_fails=1 fail_timeout=10s',
        'server 10.1.0.2:9000 weight=2 max_fails=1 fail_timeout=10s',
        'server 127.0.0.1:9001 weight=1 max_fails=1 fail_timeout=10s down',
        'server [2001:db8::2]:9002 weight=1 max_fails=1 fail_timeout=10s backup',
      ]);
    });

    it('a down placeholder, explained, for a name that did not resolve', () => {
      expect(text).toContain('    # gone.invalid:9001 did not resolve when this file was rendered; placeholder so Nginx still starts\n');
      expect(text).toContain('    # app.internal:9000\n');
    });

    it('refuses resolved "addresses" that are not IP addresses', () => {
      const bad = { ...input, resolved: { 'app.internal': ['10.0.0.1; include /etc/passwd'] } };
      expect(renderError(bad).field).toBe('upstreams.app.targets.0.host (resolved address)');
    });
  });
});

describe('renderServerConfig: domains', () => {
  const acmeLocation = (block: NginxStatement[]) =>
    find(block, 'location').find((l) => line(l) === 'location ^~ /.well-known/acme-challenge/')?.block?.map(line);

  it('HTTP: proxy headers, body size, names and the ACME location', () => {
    const text = fileOf(makeInput({ domains: [makeDomain({ aliases: ['www.example.com', '*.example.org'], clientMaxBodySize: '25m' })] }), 'domains/app.example.com.conf');
    const [http, ...rest] = servers(text);
    expect(rest).toEqual([]);
    expect(http.slice(0, 3).map(line)).toEqual(['listen 80', 'server_name app.example.com www.example.com *.example.org', 'client_max_body_size 25m']);
    expect(acmeLocation(http)).toEqual(['root /etc/nginx/gatehouse/acme', 'default_type text/plain']);
    const proxy = find(http, 'location')[1].block!.map(line);
    expect(proxy).toEqual(expect.arrayContaining([
      'proxy_http_version 1.1', 'proxy_set_header Host $host', 'proxy_set_header X-Real-IP $remote_addr',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for', 'proxy_set_header X-Forwarded-Proto $scheme', 'proxy_set_header Connection ',
    ]));
    expect(proxy.some((l) => l.includes('Upgrade'))).toBe(false);
  });

  it('websockets use the map defined once in upstreams.conf', () => {
    const input = makeInput({ domains: [makeDomain({ websocket: true }), makeDomain({ id: 'd2', fqdn: 'b.example.com', websocket: true })] });
    const proxy = find(servers(fileOf(input, 'domains/app.example.com.conf'))[0], 'location')[1].block!.map(line);
    expect(proxy).toEqual(expect.arrayContaining(['proxy_set_header Upgrade $http_upgrade', 'proxy_set_header Connection $gh_connection_upgrade']));
    expect(find(tree(fileOf(input, 'upstreams.conf')), 'map')).toHaveLength(1);
  });

  const ssl = (over: Partial<Domain['ssl']> = {}) => makeDomain({ ssl: { mode: 'custom', certificateId: 'cert-1', forceHttps: false, hsts: false, http2: true, ...over } });

  it('SSL: certificate paths under the managed dir, modern TLS, both servers proxy', () => {
    const [http, https] = servers(fileOf(makeInput({ domains: [ssl()] }), 'domains/app.example.com.conf'));
    expect(acmeLocation(http)).toBeDefined();
    expect(find(http, 'location')[1].block![0].name).toBe('proxy_pass');
    expect(https.map(line)).toEqual(expect.arrayContaining([
      'listen 443 ssl http2',
      'ssl_certificate /etc/nginx/gatehouse/certs/cert-1/fullchain.pem',
      'ssl_certificate_key /etc/nginx/gatehouse/certs/cert-1/privkey.pem',
      'ssl_protocols TLSv1.2 TLSv1.3',
      'ssl_session_cache shared:gh_ssl:10m',
    ]));
    expect(find(https, 'location')[0].block!.some((s) => s.args[0] === 'Strict-Transport-Security')).toBe(false);
  });

  it('force HTTPS redirects everything but the ACME challenge', () => {
    const [http, https] = servers(fileOf(makeInput({ domains: [ssl({ forceHttps: true, hsts: true })] }), 'domains/app.example.com.conf'));
    expect(acmeLocation(http)).toEqual(['root /etc/nginx/gatehouse/acme', 'default_type text/plain']);
    expect(find(http, 'location')[1].block!.map(line)).toEqual(['return 301 https://$host$request_uri']);
    expect(find(https, 'location')[0].block!.map(line)).toContain('add_header Strict-Transport-Security max-age=63072000 always');
  });

  it('ports come from the server; a non-standard HTTPS port is kept in the redirect', () => {
    const input = makeInput({ server: { id: 'srv-1', managedDir: '/srv/gh', httpPort: 18080, httpsPort: 18443 }, domains: [ssl({ forceHttps: true })], certificates: [{ id: 'cert-1', certPath: '/srv/gh/c.pem', keyPath: 'k.pem' }] });
    const [http, https] = servers(fileOf(input, 'domains/app.example.com.conf'));
    expect(line(http[0])).toBe('listen 18080');
    expect(line(https[0])).toBe('listen 18443 ssl http2');
    expect(find(http, 'location')[1].block!.map(line)).toEqual(['return 301 https://$host:18443$request_uri']);
    expect(acmeLocation(http)).toEqual(['root /srv/gh/acme', 'default_type text/plain']);
  });

  it.each([
    ['1.22.1', true, ['listen 443 ssl http2']],
    ['1.22.1', false, ['listen 443 ssl']],
    ['1.25.1', true, ['listen 443 ssl', 'http2 on']],
    ['nginx/1.27.3', false, ['listen 443 ssl']],
    [null, true, ['listen 443 ssl http2']],
  ] as const)('HTTP/2 syntax for nginx %s (http2 %s)', (version, http2, expected) => {
    const input = makeInput({ server: { id: 'srv-1', managedDir: '/etc/nginx/gatehouse', nginxVersion: version }, domains: [ssl({ http2 })] });
    const https = servers(fileOf(input, 'domains/app.example.com.conf'))[1];
    expect(https.filter((s) => s.name === 'listen' || s.name === 'http2').map(line)).toEqual(expected);
  });

  it('ACME before issuance: HTTP only, so the first challenge can be answered', () => {
    const text = fileOf(makeInput({ domains: [ssl({ mode: 'acme', certificateId: null, forceHttps: true })] }), 'domains/app.example.com.conf');
    expect(servers(text)).toHaveLength(1);
    expect(text).toContain('# The ACME certificate is not issued yet');
    const issued = fileOf(makeInput({ domains: [ssl({ mode: 'acme', forceHttps: true })] }), 'domains/app.example.com.conf');
    expect(servers(issued)).toHaveLength(2);
  });

  it('every domain file has the ACME location in its HTTP server, in every variant', () => {
    const variants = [makeDomain(), ssl(), ssl({ forceHttps: true }), ssl({ mode: 'acme', certificateId: null }), ssl({ mode: 'acme', forceHttps: true, hsts: true })];
    for (const d of variants) expect(acmeLocation(servers(fileOf(makeInput({ domains: [d] }), 'domains/app.example.com.conf'))[0]), JSON.stringify(d.ssl)).toBeDefined();
  });

  it('custom directives are re-written inside the proxied location', () => {
    const d = makeDomain({ customDirectives: "proxy_read_timeout 300s;\r\nadd_header X-Frame-Options 'DENY' always;" });
    const proxy = find(servers(fileOf(makeInput({ domains: [d] }), 'domains/app.example.com.conf'))[0], 'location')[1].block!;
    expect(proxy.slice(-2).map(line)).toEqual(['proxy_read_timeout 300s', 'add_header X-Frame-Options DENY always']);
  });
});

describe('renderServerConfig: defence in depth', () => {
  const u = (over: Partial<Upstream>) => [{ id: 'up-1', name: 'app', method: 'round_robin' as const, targets: [target('10.0.0.1')], ...over }];
  it.each([
    ['fqdn', makeInput({ domains: [makeDomain({ fqdn: 'a.com; include /etc/passwd' })] }), 'domains.a.com; include /etc/passwd.fqdn'],
    ['alias', makeInput({ domains: [makeDomain({ aliases: ['ok.example.com', 'x.com\n}'] })] }), 'domains.app.example.com.aliases.1'],
    ['body size', makeInput({ domains: [makeDomain({ clientMaxBodySize: '1m;' })] }), 'domains.app.example.com.clientMaxBodySize'],
    ['directives', makeInput({ domains: [makeDomain({ customDirectives: 'include /etc/passwd;' })] }), 'domains.app.example.com.customDirectives'],
    ['target host', makeInput({ upstreams: u({ targets: [target('10.0.0.1:80 backup')] }) }), 'upstreams.app.targets.0.host'],
    ['target port', makeInput({ upstreams: u({ targets: [target('10.0.0.1', 0)] }) }), 'upstreams.app.targets.0.port'],
    ['ip_hash backup', makeInput({ upstreams: u({ method: 'ip_hash', targets: [target('10.0.0.1'), target('10.0.0.2', 80, { backup: true })] }) }), 'upstreams.app.targets.1.backup'],
    ['all backup', makeInput({ upstreams: u({ targets: [target('10.0.0.1', 80, { backup: true })] }) }), 'upstreams.app.targets'],
    ['upstream name', makeInput({ upstreams: u({ name: 'a b' }) }), 'upstreams.up-1.name'],
    ['keepalive', makeInput({ upstreams: u({ keepalive: 0 }) }), 'upstreams.app.keepalive'],
    ['missing upstream', makeInput({ domains: [makeDomain({ upstreamId: 'nope' })] }), 'domains.app.example.com.upstreamId'],
    ['missing certificate', makeInput({ domains: [makeDomain({ ssl: { mode: 'custom', certificateId: 'nope', forceHttps: false, hsts: false, http2: true } })] }), 'domains.app.example.com.ssl.certificateId'],
    ['certificate outside the managed dir', makeInput({ domains: [makeDomain({ ssl: { mode: 'custom', certificateId: 'cert-1', forceHttps: false, hsts: false, http2: true } })], certificates: [{ id: 'cert-1', certPath: '/etc/shadow', keyPath: 'k.pem' }] }), 'domains.app.example.com.ssl.certificatePath'],
    ['certificate path escape', makeInput({ domains: [makeDomain({ ssl: { mode: 'custom', certificateId: 'cert-1', forceHttps: false, hsts: false, http2: true } })], certificates: [{ id: 'cert-1', certPath: '../../shadow', keyPath: 'k.pem' }] }), 'domains.app.example.com.ssl.certificatePath'],
    ['managed dir', makeInput({ server: { id: 'srv-1', managedDir: '/etc/nginx;' } }), 'server.managedDir'],
    ['port', makeInput({ server: { id: 'srv-1', managedDir: '/etc/nginx/gh', httpPort: 70000 } }), 'server.httpPort'],
    ['missing template', makeInput({ domains: [makeDomain({ templateId: 'nope' })] }), 'domains.app.example.com.templateId'],
    ['template kind', makeInput({ domains: [makeDomain({ templateId: 'builtin-ssl' })] }), 'domains.app.example.com.templateId'],
  ])('throws ConfigRenderError for a bad stored %s', (_what, input, field) => {
    const err = renderError(input);
    expect(err.field).toBe(field);
    expect(err.status).toBe(422);
    expect(err.message.length).toBeGreaterThan(field.length + 5);
  });

  it('templateContextFor gives the validated context a preview uses', () => {
    const ctx = templateContextFor(makeInput({ domains: [makeDomain({ aliases: ['Www.Bücher.de'] })] }), 'dom-1');
    expect(ctx.domain.serverNames).toBe('app.example.com www.xn--bcher-kva.de');
    expect(ctx.upstream?.name).toBe(nginxUpstreamName({ id: 'up-1', name: 'app' }));
    expect(() => templateContextFor(makeInput(), 'nope')).toThrow(ConfigRenderError);
  });
});
