import { describe, expect, it } from 'vitest';
import { ConfigRenderError } from '@/lib/nginx/errors';
import { previewDomainTemplate, renderServerConfig, templateContextFor } from '@/lib/proxy/render';
import { previewTemplate, renderTemplate } from '@/lib/proxy/template-engine';
import { BUILTIN_HTTP_BODY } from '@/lib/proxy/templates/builtin';
import type { Domain, RenderInput, Template } from '@/lib/proxy/types';

const domain: Domain = {
  id: 'dom-1', fqdn: 'app.example.com', aliases: ['www.example.com'], serverId: 'srv-1', upstreamId: 'up-1', templateId: null,
  ssl: { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true },
  websocket: false, clientMaxBodySize: '1m', customDirectives: '',
};

const input = (templates: Template[] = [], templateId: string | null = null): RenderInput => ({
  server: { id: 'srv-1', managedDir: '/etc/nginx/gatehouse' },
  upstreams: [{ id: 'up-1', name: 'app', method: 'round_robin', targets: [{ host: '10.0.0.1', port: 80, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 }] }],
  domains: [{ ...domain, templateId }],
  templates,
  certificates: [],
});

const context = templateContextFor(input(), 'dom-1');
const fail = (body: string) => {
  const r = previewTemplate(body, context);
  if (r.ok) throw new Error(`rendered: ${r.text}`);
  return r;
};

const ACME = 'location ^~ /.well-known/acme-challenge/ { root {{ acme.root }}; }';
const own = (body: string): Template => ({ id: 'tpl-1', name: 'mine', kind: 'http', body });

describe('template sandbox', () => {
  it('previews a valid template', () => {
    expect(previewTemplate('server { server_name {{ domain.serverNames }}; }', context)).toEqual({ ok: true, text: 'server { server_name app.example.com www.example.com; }' });
  });

  it.each([
    ['{% include "/etc/passwd" %}', 3],
    ["{% include '/etc/passwd' %}", 3],
    ['{% render "/etc/passwd" %}', 3],
    ['{% layout "/etc/passwd" %}', 3],
    ['{% include domain.fqdn %}', 3],
  ])('%s fails cleanly with its line, reading no file', (tag, lineNo) => {
    const r = fail(`server {\n  listen 80;\n  ${tag}\n}`);
    expect(r.line).toBe(lineNo);
    expect(r.message).toMatch(new RegExp(`^Line ${lineNo}: tag "(include|render|layout)" not found`));
    expect(r.message).not.toMatch(/root:/);
  });

  it.each([
    ['{% if domain.websocket %}\nunclosed', 1, /not closed/],
    ['a\nb\n{{ domain.fqdn | nosuchfilter }}', 3, /undefined filter: nosuchfilter/],
    ['a\n{{ domain.nosuch }}', 2, /undefined variable/],
    ['{{ domain.constructor.name }}', 1, /undefined variable/],
    ['{{ domain.fqdn.__proto__ }}', 1, /undefined variable/],
    ["a\n\n{{ 'now' | date: '%Y' }}", 3, /undefined filter: date/],
    ['{{ domain.aliases | sample }}', 1, /undefined filter: sample/],
    ['{{ unclosed', 1, /not closed/],
  ])('%j reports line %i', (body, lineNo, message) => {
    const r = fail(body);
    expect(r.line).toBe(lineNo);
    expect(r.message).toMatch(message);
    expect(r.message).not.toMatch(/, line:\d+, col:\d+$/);
  });

  it('stops runaway loops and huge output quickly', () => {
    const started = Date.now();
    expect(fail('{% for i in (1..100000000) %}x{% endfor %}').ok).toBe(false);
    expect(fail('{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}').ok).toBe(false);
    expect(fail('{% for a in (1..300) %}{% for b in (1..1000) %}xxxx{% endfor %}{% endfor %}').message).toMatch(/larger than|limit/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses output that includes files or embeds code', () => {
    expect(fail('server { include /etc/nginx/{{ domain.fqdn }}; }')).toMatchObject({ line: null, message: expect.stringMatching(/"include" is not allowed/) });
    expect(fail('load_module x.so;').message).toMatch(/load_module/);
    expect(fail('server { location / { content_by_lua_block { os.exit(); } } }').message).toMatch(/runs code/);
    expect(fail('server {').message).toMatch(/not closed/);
  });

  it('exposes only own properties of the validated context', () => {
    expect(renderTemplate('x {{ domain.aliases.size }} {{ upstream.name }} {{ listen.http }};', context)).toMatch(/^x 1 gh_app_[0-9a-f]{8} 80;$/);
  });
});

describe('user templates in renderServerConfig', () => {
  it('renders a domain with an admin\'s template', () => {
    const body = `server {\n    listen {{ listen.http }};\n    server_name {{ domain.serverNames }};\n    ${ACME}\n    location / { proxy_pass http://{{ upstream.name }}; }\n}\n`;
    const files = renderServerConfig(input([own(body)], 'tpl-1')).files;
    expect(files[0].content).toMatch(/^server \{\n {4}listen 80;\n {4}server_name app\.example\.com www\.example\.com;/);
  });

  it('requires the ACME challenge location', () => {
    expect(() => renderServerConfig(input([own('server { listen 80; }')], 'tpl-1'))).toThrow(/must keep the ACME location/);
  });

  it('names the template and the line of its error', () => {
    try {
      renderServerConfig(input([own(`server {\n${ACME}\n{% render 'x' %}\n}`)], 'tpl-1'));
      throw new Error('rendered');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigRenderError);
      expect((err as ConfigRenderError).message).toMatch(/^Template "mine" for app\.example\.com: Line 3: tag "render" not found/);
      expect((err as ConfigRenderError).line).toBe(3);
    }
  });

  it('an ACME domain waiting for its certificate renders HTTP: with the admin\'s HTTP template, else the built-in one', () => {
    const pending = (templates: Template[], templateId: string): RenderInput => ({
      ...input(templates, templateId),
      domains: [{ ...domain, templateId, ssl: { mode: 'acme', certificateId: null, forceHttps: true, hsts: false, http2: true } }],
    });
    const body = `# mine\nserver {\n    listen {{ listen.http }};\n    ${ACME}\n}\n`;
    expect(renderServerConfig(pending([own(body)], 'tpl-1')).files[0].content).toMatch(/^# mine\n/);
    const sslTemplate: Template = { id: 'tpl-2', name: 'mine-ssl', kind: 'ssl', body: 'x;' };
    expect(renderServerConfig(pending([sslTemplate], 'tpl-2')).files[0].content).toMatch(/^# Managed by Gatehouse/);
  });

  it('renders built-in rows with the body shipped in code', () => {
    const stale: Template = { id: 'row-1', name: 'builtin-http', kind: 'http', body: 'old body', builtin: true };
    const a = renderServerConfig(input([stale], 'row-1')).files;
    const b = renderServerConfig(input()).files;
    expect(a).toEqual(b);
    expect(previewDomainTemplate(BUILTIN_HTTP_BODY, input(), 'dom-1')).toEqual({ ok: true, text: b[0].content });
  });
});
