import { describe, expect, it } from 'vitest';
import {
  checkHostname,
  checkIPv6,
  checkNameserverPattern,
  checkServerName,
  checkSize,
  checkTargetHost,
  checkUriPath,
  formatHostPort,
  isIPv4Address,
  isPort,
  isSlug,
  nameserverMatches,
  parseNginxVersion,
  versionAtLeast,
} from '@/lib/nginx/grammar';
import { checkCustomDirectives, formatDirective } from '@/lib/proxy/directives';
import { parseNginx, checkRenderedConfig } from '@/lib/nginx/syntax';

const value = <T>(r: { ok: true; value: T } | { ok: false; message: string }) => (r.ok ? r.value : `ERR ${r.message}`);

describe('host names', () => {
  it.each([
    ['example.com', 'example.com'],
    ['App.Example.COM', 'app.example.com'],
    ['a-b.c-d.example', 'a-b.c-d.example'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.münchen.de', 'xn--bcher-kva.xn--mnchen-3ya.de'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de', 'xn--bcher-kva.de'],
    ['münchen.example.com', 'xn--mnchen-3ya.example.com'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['faß.de', 'xn--fa-hia.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    ['1password.com', '1password.com'],
  ])('accepts %s as %s', (input, out) => {
    expect(value(checkHostname(input))).toBe(out);
  });

  it.each([
    ['', /Enter a host name/],
    ['example.com.', /trailing dot/],
    ['localhost', /fully qualified/],
    ['a..com', /empty labels/],
    ['-a.com', /not a valid label/],
    ['a-.com', /not a valid label/],
    [`${'a'.repeat(64)}.com`, /not a valid label/],
    [`${'abcdefghi.'.repeat(26)}com`, /253/],
    ['a_b.com', /"_"/],
    ['a;b.com', /";"/],
    ['a b.com', /found a space/],
    ['a%41.com', /"%"/],
    ['1.2.3.4', /IP address/],
    ['ｅｘａｍｐｌｅ.com', /look-alike of "e"/],
    ['example\uFF0Ecom', /look-alike of "."/],
    ['a\u037Eb.com', /U\+037E, a look-alike of ";"/],
    ['\u212Aelvin.com', /look-alike of "k"/],
    ['exa\u200Bmple.com', /change when converted|not a valid host name/i],
    ['exa\u00ADmple.com', /change when converted/],
    ['\u202Eexample.com', /not a valid host name/i],
    ['exаmple.com', /mixes Latin and Cyrillic/],
    ['xn--a.com', /not a valid host name/i],
  ])('rejects %j', (input, message) => {
    const r = checkHostname(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('allows single-label names only where asked (upstream targets)', () => {
    expect(value(checkHostname('backend', { minLabels: 1 }))).toBe('backend');
    expect(checkHostname('backend').ok).toBe(false);
  });

  it('allows a wildcard only as the whole first label of an alias', () => {
    expect(value(checkServerName('*.Example.com', { wildcard: true }))).toBe('*.example.com');
    expect(value(checkServerName('*.bücher.de', { wildcard: true }))).toBe('*.xn--bcher-kva.de');
    expect(checkServerName('*.example.com').ok).toBe(false);
    for (const bad of ['*.com', 'a.*.com', 'example.*', '*example.com', '**.example.com', '.example.com', '~^www\\.']) {
      expect(checkServerName(bad, { wildcard: true }).ok, bad).toBe(false);
    }
  });
});

describe('addresses and targets', () => {
  it('accepts strict IPv4 only', () => {
    expect(isIPv4Address('192.168.0.1')).toBe(true);
    for (const bad of ['010.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4 ', '0x7f.0.0.1', '1.2.3.4/24']) expect(isIPv4Address(bad), bad).toBe(false);
  });

  it('normalises IPv6 and renders it in brackets', () => {
    expect(value(checkIPv6('2001:DB8:0:0::1'))).toBe('2001:db8::1');
    expect(value(checkIPv6('[::1]'))).toBe('::1');
    expect(checkIPv6('fe80::1%eth0').ok).toBe(false);
    expect(checkIPv6('::1::2').ok).toBe(false);
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
  });

  it.each([
    ['10.0.0.5', 'ipv4', '10.0.0.5'],
    ['::1', 'ipv6', '::1'],
    ['[2001:db8::5]', 'ipv6', '2001:db8::5'],
    ['backend', 'hostname', 'backend'],
    ['App.Internal', 'hostname', 'app.internal'],
  ])('target %s is %s', (input, kind, host) => {
    expect(value(checkTargetHost(input))).toEqual({ kind, host });
  });

  it('explains a port typed into the host field', () => {
    const r = checkTargetHost('backend:8080');
    expect(r.ok || r.message).toMatch(/port in its own field/);
    expect(checkTargetHost('999.1.1.1').ok).toBe(false);
  });

  it('accepts ports 1-65535 only', () => {
    expect([1, 80, 65535].every(isPort)).toBe(true);
    expect([0, 65536, -1, 1.5, Number.NaN].some(isPort)).toBe(false);
  });
});

describe('sizes, paths, slugs, versions, name-server patterns', () => {
  it.each(['0', '1024', '512k', '10m', '1g', '10M', '1024g'])('size %s is valid', (s) => expect(checkSize(s).ok).toBe(true));
  it.each(['', '1.5m', '10mb', '-1', '01m', '10 m', '1t', '1025g', '99999999999999', '10m;', '\u0031\u006D\u0338'])('size %j is invalid', (s) =>
    expect(checkSize(s).ok).toBe(false),
  );

  it.each(['/', '/healthz', '/api/v1/status?full=1&x=2', '/a%20b', '/.well-known/acme-challenge/'])('path %s is valid', (p) =>
    expect(checkUriPath(p).ok).toBe(true),
  );
  it.each(['healthz', '/a b', '/a;b', '/a{b}', '/a"b', "/a'b", '/a$b', '/a#b', '/../x', '/a/./b', '/%zz', '/a?b?c', '/a\\b', '/é'])('path %j is invalid', (p) =>
    expect(checkUriPath(p).ok).toBe(false),
  );

  it('slugs are lowercase LDH', () => {
    expect(['app', 'my-app-2', 'a'].every(isSlug)).toBe(true);
    expect(['App', 'my_app', '-a', 'a-', '', 'a'.repeat(64), 'a.b'].some(isSlug)).toBe(false);
  });

  it('parses Nginx versions and compares them', () => {
    expect(parseNginxVersion('1.22.1')).toEqual([1, 22, 1]);
    expect(parseNginxVersion('nginx/1.25.1')).toEqual([1, 25, 1]);
    expect(parseNginxVersion('garbage')).toBeNull();
    expect(versionAtLeast([1, 25, 1], [1, 25, 1])).toBe(true);
    expect(versionAtLeast([1, 22, 1], [1, 25, 1])).toBe(false);
    expect(versionAtLeast([1, 27, 0], [1, 25, 1])).toBe(true);
    expect(versionAtLeast(null, [1, 25, 1])).toBe(false);
  });

  it('name-server patterns are simple globs', () => {
    expect(value(checkNameserverPattern('*.NS.cloudflare.com'))).toBe('*.ns.cloudflare.com');
    expect(nameserverMatches('*.ns.cloudflare.com', 'Amy.ns.cloudflare.com.')).toBe(true);
    expect(nameserverMatches('*.ns.cloudflare.com', 'a.b.ns.cloudflare.com')).toBe(false);
    expect(nameserverMatches('ns*.example.com', 'ns1.example.com')).toBe(true);
    expect(nameserverMatches('ns*.example.com', 'ns1.exampleXcom')).toBe(false);
    for (const bad of ['*', 'a..com', 'a.com.', '(.*)', 'a.1', 'ns.\u212Aelvin.com']) expect(checkNameserverPattern(bad).ok, bad).toBe(false);
  });
});

describe('custom directives', () => {
  const ok = (text: string) => {
    const r = checkCustomDirectives(text);
    if (!r.ok) throw new Error(r.message);
    return r.value.map(formatDirective);
  };
  const err = (text: string) => {
    const r = checkCustomDirectives(text);
    return r.ok ? 'accepted' : r.message;
  };

  it('accepts allow-listed directives and re-writes them', () => {
    expect(ok('proxy_read_timeout 120s;\r\nproxy_set_header X-Tenant "acme corp";')).toEqual([
      'proxy_read_timeout 120s;',
      'proxy_set_header X-Tenant "acme corp";',
    ]);
    expect(ok(`add_header Content-Security-Policy 'default-src \\'`.slice(0, 0) + `add_header Content-Security-Policy "default-src 'self'; img-src *" always;`)).toEqual([
      `add_header Content-Security-Policy "default-src 'self'; img-src *" always;`,
    ]);
    expect(ok("proxy_set_header X-Real 'single';   gzip on; gzip_types text/css application/json;")).toEqual([
      'proxy_set_header X-Real single;',
      'gzip on;',
      'gzip_types text/css application/json;',
    ]);
    expect(ok('proxy_set_header X-Forwarded-Host $host;\naccess_log off;\nexpires 7d;\nallow 10.0.0.0/8;\ndeny all;')).toHaveLength(5);
    expect(ok('proxy_set_header Connection "";')).toEqual(['proxy_set_header Connection "";']);
    expect(ok('limit_req zone=api burst=20 nodelay;')).toEqual(['limit_req zone=api burst=20 nodelay;']);
    expect(ok('')).toEqual([]);
  });

  it.each([
    ['include /etc/passwd;', /"include" is not allowed because it reads files/],
    ['load_module x.so;', /reads files/],
    ['content_by_lua_file /x.lua;', /runs code/],
    ['perl_set $x "sub {}";', /runs code/],
    ['js_import x.js;', /runs code/],
    ['root /;', /serves files/],
    ['alias /etc/;', /serves files/],
    ['proxy_pass http://evil;', /upstream decides/],
    ['ssl_protocols SSLv3;', /domain's settings/],
    ['return 200;', /not on the allow-list/],
    ['constructor x;', /not on the allow-list/],
    ['__proto__ x;', /not on the allow-list/],
    ['location / { }', /blocks/],
    ['gzip on', /missing its ";"/],
    ['gzip on;\n}', /Line 2: unexpected "}"/],
    ['gzip on; # note', /comments/],
    ['add_header X "a\\"b";', /backslashes/],
    ['add_header X "a\nb";', /may not span lines/],
    ['add_header X "open;', /not closed/],
    ['add_header X "a"b;', /right after a quoted string/],
    ["add_header X 'a\"b';", /double quote/],
    ['add_header X $http_authorization;', /\$http_authorization, which is not allowed/],
    ['add_header X ${host};', /without a plain variable name/],
    ['add_header X "${host}";', /without a plain variable name/],
    ['proxy_read_timeout 10 s;', /takes 1 argument/],
    ['proxy_read_timeout forever;', /expects a time/],
    ['gzip yes;', /on or off/],
    ['add_header X y sometimes;', /"always"/],
    ['access_log /var/log/x.log;', /expects off/],
    ['allow 10.0.0.0/33;', /CIDR/],
    ['proxy_set_header Bad:Name x;', /header name/],
    ['gzip on;\uFF1B', /Line 1: only printable ASCII.*U\+FF1B/],
    ['gzip on;\n\u200Bgzip off;', /Line 2: only printable ASCII.*U\+200B/],
    ['gzip on;\rinclude x;', /a carriage return \(U\+000D\)/],
    ['gzip on;'.repeat(65), /At most 64/],
  ])('rejects %j', (text, message) => {
    expect(err(text)).toMatch(message);
  });
});

describe('nginx reader', () => {
  it('parses blocks, quotes and ${var} like Nginx', () => {
    const r = parseNginx('server {\n  listen 80;\n  set $a "x;y";\n  return 200 ${a}b; # hi\n}\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const server = r.statements[0];
    expect(server.name).toBe('server');
    expect(server.block?.map((s) => [s.name, ...s.args])).toEqual([['listen', '80'], ['set', '$a', 'x;y'], ['return', '200', '${a}b']]);
  });

  it('reports unbalanced input with a line', () => {
    expect(parseNginx('server {\n listen 80;\n')).toMatchObject({ ok: false, message: /not closed/ });
    expect(parseNginx('a;\n}\n')).toMatchObject({ ok: false, line: 2 });
  });

  it('refuses include and code in rendered output', () => {
    expect(checkRenderedConfig('server { include /etc/passwd; }')).toMatchObject({ ok: false, message: /include/ });
    expect(checkRenderedConfig('server { location / { content_by_lua_block { x } } }')).toMatchObject({ ok: false });
    expect(checkRenderedConfig('server { listen 80; }')).toEqual({ ok: true });
  });
});
