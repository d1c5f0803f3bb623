/**
 * The rendered files against a real `nginx -t` (Debian 12 ships 1.22), when nginx and openssl
 * are installed. `nginx -t` parses everything and loads certificates but binds no ports.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderServerConfig } from '@/lib/proxy/render';
import type { Domain, RenderInput } from '@/lib/proxy/types';

const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const haveTools = Boolean(nginx) && spawnSync('openssl', ['version']).status === 0;

let dir = '';
const managed = () => path.join(dir, 'managed');

function nginxTest(input: RenderInput, extraHttp = ''): { ok: boolean; output: string } {
  rmSync(path.join(managed(), 'domains'), { recursive: true, force: true });
  mkdirSync(path.join(managed(), 'domains'), { recursive: true });
  for (const f of renderServerConfig(input).files) writeFileSync(path.join(managed(), f.path), f.content);
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  ${extraHttp}\n` +
      `  include ${managed()}/upstreams.conf;\n  include ${managed()}/domains/*.conf;\n}\n`,
  );
  const r = spawnSync(nginx!, ['-t', '-e', 'stderr', '-p', dir, '-c', conf], { encoding: 'utf8', timeout: 30_000 });
  // Without -q nginx -t always prints its verdict; what matters is that nothing else is said.
  const output = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l && !/syntax is ok|test is successful/.test(l)).join('\n');
  return { ok: r.status === 0, output };
}

const target = (host: string, port: number, extra = {}) => ({ host, port, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10, ...extra });
const ssl = (over: Partial<Domain['ssl']> = {}): Domain['ssl'] => ({ mode: 'custom', certificateId: 'cert-1', forceHttps: false, hsts: false, http2: true, ...over });
const domain = (fqdn: string, over: Partial<Domain> = {}): Domain => ({
  id: fqdn, fqdn, aliases: [], serverId: 'srv-1', upstreamId: 'up-1', templateId: null, ssl: ssl({ mode: 'none', certificateId: null }),
  websocket: false, clientMaxBodySize: '1m', customDirectives: '', ...over,
});

function fleet(port: { httpPort?: number; httpsPort?: number } = {}): RenderInput {
  return {
    server: { id: 'srv-1', managedDir: managed(), nginxVersion: '1.22.1', ...port },
    upstreams: [
      { id: 'up-1', name: 'app', method: 'round_robin', targets: [target('127.0.0.1', 9001)] },
      { id: 'up-2', name: 'api', method: 'least_conn', keepalive: 16, targets: [target('::1', 9002, { weight: 3 }), target('127.0.0.2', 9003, { backup: true })] },
      { id: 'up-3', name: 'sticky', method: 'ip_hash', targets: [target('127.0.0.3', 9004, { weight: 2 }), target('127.0.0.4', 9004, { maxFails: 0 })] },
      { id: 'up-4', name: 'named', method: 'round_robin', targets: [target('app.gatehouse-test.invalid', 9005), target('resolved.gatehouse-test.invalid', 9006, { backup: true })] },
      { id: 'up-5', name: 'only-unresolved', method: 'ip_hash', targets: [target('gone.gatehouse-test.invalid', 9007)] },
    ],
    domains: [
      domain('plain.example.com', { websocket: true, aliases: ['*.plain.example.com', 'www.xn--bcher-kva.example'] }),
      domain('secure.example.com', { upstreamId: 'up-2', ssl: ssl({ forceHttps: true, hsts: true }), clientMaxBodySize: '0' }),
      domain('nohttp2.example.com', { upstreamId: 'up-3', ssl: ssl({ http2: false }) }),
      domain('pending.example.com', { upstreamId: 'up-4', ssl: ssl({ mode: 'acme', certificateId: null, forceHttps: true }) }),
      domain('issued.example.com', { upstreamId: 'up-5', ssl: ssl({ mode: 'acme', forceHttps: true }), websocket: true }),
      domain('tuned.example.com', {
        customDirectives: [
          'proxy_read_timeout 300s;', 'proxy_connect_timeout 5s;', 'proxy_send_timeout 60s;', 'client_body_timeout 30s;',
          'proxy_buffering off;', 'proxy_request_buffering off;', 'gzip on;', 'gzip_types text/css application/json;',
          'gzip_min_length 1k;', 'gzip_comp_level 5;', 'gzip_proxied any;', 'gzip_vary on;', 'expires 7d;', 'access_log off;',
          'proxy_set_header X-Request-Id $request_id;', `add_header Content-Security-Policy "default-src 'self'; img-src *" always;`,
          'proxy_hide_header X-Powered-By;', 'proxy_buffers 8 16k;', 'proxy_buffer_size 16k;', 'allow 10.0.0.0/8;', 'allow ::1;', 'deny all;',
          'proxy_next_upstream error timeout http_502;', 'proxy_redirect off;', 'limit_req zone=gh_test burst=5 nodelay;', 'limit_conn gh_conn 10;',
        ].join('\n'),
      }),
    ],
    templates: [],
    certificates: [{ id: 'cert-1', certPath: 'certs/cert-1/fullchain.pem', keyPath: 'certs/cert-1/privkey.pem' }],
    resolved: { 'resolved.gatehouse-test.invalid': ['127.0.0.9', '::1'] },
  };
}

describe.skipIf(!haveTools)('rendered configuration under nginx -t', () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gh-nginx-'));
    const certs = path.join(managed(), 'certs', 'cert-1');
    mkdirSync(certs, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test',
      '-keyout', path.join(certs, 'privkey.pem'), '-out', path.join(certs, 'fullchain.pem')], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const zones = 'limit_req_zone $binary_remote_addr zone=gh_test:1m rate=10r/s; limit_conn_zone $binary_remote_addr zone=gh_conn:1m;';

  it('accepts every variant: SSL modes, HTTP/2 on and off on one port, all balancing methods, custom directives', () => {
    const r = nginxTest(fleet(), zones);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('accepts high ports from the server settings', () => {
    expect(nginxTest(fleet({ httpPort: 18080, httpsPort: 18443 }), zones)).toEqual({ ok: true, output: '' });
  });

  it('starts with upstream names that do not resolve (the Nginx Proxy Manager lesson)', () => {
    const input = fleet();
    const r = nginxTest({ ...input, resolved: {} }, zones);
    expect(r).toEqual({ ok: true, output: '' });
    // The control: the same name written as-is makes nginx -t fail.
    const raw = nginxTest({ ...input, domains: [] }, 'upstream raw { server gone.gatehouse-test.invalid:9007; }');
    expect(raw.ok).toBe(false);
    expect(raw.output).toMatch(/host not found in upstream/);
  });

  it('accepts an empty server (only the websocket map)', () => {
    expect(nginxTest({ ...fleet(), domains: [] })).toEqual({ ok: true, output: '' });
  });
});
