import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GlancesClient, GlancesError } from '@/lib/glances/client';

// Shapes: v3 captured from a real Glances 3.3.1 (Debian 12); v4 from nicolargo/glances
// docs/api/restful.rst (4.4 dev, percpu trimmed).
const V3: Record<string, unknown> = {
  quicklook: { cpu: 50.0, percpu: [], mem: 2.9, swap: 0.0, cpu_name: 'AMD EPYC', cpu_hz_current: 2596130000.0, cpu_hz: 0.0 },
  load: { min1: 0.4921875, min5: 0.80712890625, min15: 0.416015625, cpucore: 2 },
  fs: [
    { device_name: '/dev/vda', fs_type: 'ext4', mnt_point: '/', size: 270553174016, used: 25275310080, free: 83668983808, percent: 23.2, key: 'mnt_point' },
    { device_name: '/dev/loop0', fs_type: 'squashfs', mnt_point: '/snap/core/1', size: 1, used: 1, free: 0, percent: 100.0, key: 'mnt_point' },
  ],
  network: [
    { interface_name: 'lo', alias: null, time_since_update: 2, cumulative_rx: 60925, rx: 6634, cumulative_tx: 60925, tx: 6634, cumulative_cx: 121850, cx: 13268, is_up: true, speed: 0, key: 'interface_name' },
    { interface_name: 'eth0', alias: null, time_since_update: 2, cumulative_rx: 812768525, rx: 4000, cumulative_tx: 1420990, tx: 1000, cumulative_cx: 814189515, cx: 5000, is_up: true, speed: 0, key: 'interface_name' },
  ],
  system: { os_name: 'Linux', hostname: 'vm', platform: '64bit', linux_distro: 'Debian GNU/Linux 12', os_version: '6.1.0', hr_name: 'Debian GNU/Linux 12 64bit' },
  uptime: '3 days, 4:05:06',
};
const V4: Record<string, unknown> = {
  quicklook: { cpu: 12.3, cpu_hz: 4475000000.0, cpu_hz_current: 827852687.5, cpu_log_core: 16, cpu_name: 'i7', cpu_phys_core: 10, load: 8.8, mem: 76.7, percpu: [], swap: 16.2 },
  load: { cpucore: 16, min1: 3.84375, min15: 1.25146484375, min5: 2.01611328125 },
  fs: [{ device_name: '/dev/mapper/vg-root', free: 715842142208, fs_type: 'ext4', key: 'mnt_point', mnt_point: '/', options: 'rw,relatime', percent: 24.9, size: 1003736440832, used: 236831793152 }],
  network: [
    { alias: null, bytes_all: 0, bytes_all_gauge: 1572081056, bytes_all_rate_per_sec: 0, bytes_recv: 600, bytes_recv_gauge: 1180080454, bytes_recv_rate_per_sec: 1200, bytes_sent: 150, bytes_sent_gauge: 392000602, bytes_sent_rate_per_sec: 300, interface_name: 'wlp0s20f3', key: 'interface_name', speed: 0, time_since_update: 0.5 },
  ],
  system: { hostname: 'nicolargo-xps15', hr_name: 'Ubuntu 24.04 64bit / Linux 6.14.0-27-generic', linux_distro: 'Ubuntu 24.04', os_name: 'Linux', os_version: '6.14.0-27-generic', platform: '64bit' },
  uptime: '6 days, 22:22:01',
};

type Answer = { status: number; body: string; headers?: Record<string, string> } | 'hang' | 'cut';
/** What a fake saw: request paths and headers, and TCP connections opened. */
const recorded = () => ({ paths: [] as string[], headers: [] as http.IncomingHttpHeaders[], connections: 0 });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Glances-like routing shared by both fakes: status, known plugins, 400 for unknown ones. */
function route(api: 3 | 4, plugins: Record<string, unknown>, path: string, headers: http.IncomingHttpHeaders, opts: FakeOptions): Answer {
  const p = path.slice((opts.prefix ?? '').length);
  if (opts.auth && headers.authorization !== `Basic ${Buffer.from(opts.auth).toString('base64')}`) return { status: 401, body: 'Unauthorized', headers: { 'WWW-Authenticate': 'Basic' } };
  const override = opts.override?.(p);
  if (override) return override;
  if (p === `/api/${api}/status`) {
    // Glances 3.3.1's quirk: a 500 whenever the client accepts deflate.
    if (api === 3 && /deflate/.test(String(headers['accept-encoding'] ?? ''))) return { status: 500, body: '<h1>Critical error</h1>' };
    return { status: 200, body: api === 4 ? '{"version":"4.4.0"}' : '' };
  }
  const m = new RegExp(`^/api/${api}/([a-z]+)$`).exec(p);
  if (!m) return { status: 404, body: 'Not Found' };
  if (!(m[1] in plugins)) return { status: 400, body: `Unknown plugin ${m[1]}` };
  return { status: 200, body: JSON.stringify(plugins[m[1]]) };
}

interface FakeOptions {
  prefix?: string;
  auth?: string;
  override?: (path: string) => Answer | undefined;
  /** v4 fake only: which API it plays right now (to play an upgrade from Glances 3). */
  api?: () => 3 | 4;
  /** v4 fake only: kill a socket on its second request, as a lost keep-alive race would. */
  dropReused?: boolean;
}

/** Glances 3: wsgiref, HTTP/1.0, one request per connection. Raw sockets, to be exactly that. */
async function fakeV3(opts: FakeOptions = {}, plugins = V3): ReturnType<typeof listen> {
  const fake = recorded();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    fake.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [line, ...rest] = buf.slice(0, end).split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const h of rest) headers[h.slice(0, h.indexOf(':')).toLowerCase()] = h.slice(h.indexOf(':') + 1).trim();
      const path = line.split(' ')[1];
      fake.paths.push(path);
      fake.headers.push(headers);
      const a = route(3, plugins, path, headers, opts);
      if (a === 'hang') return;
      if (a === 'cut') return void sock.end('HTTP/1.0 200 OK\r\nContent-Length: 500\r\n\r\n{"cpu":');
      const extra = Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.end(`HTTP/1.0 ${a.status} X\r\nServer: WSGIServer/0.2 CPython/3.11.2\r\n${extra}Content-Length: ${Buffer.byteLength(a.body)}\r\n\r\n${a.body}`);
    });
  });
  return listen(server, fake, () => sockets.forEach((s) => s.destroy()));
}

/** Glances 4: uvicorn, HTTP/1.1 keep-alive. */
async function fakeV4(opts: FakeOptions = {}, plugins = V4): ReturnType<typeof listen> {
  const fake = recorded();
  const served = new WeakMap<net.Socket, number>();
  const server = http.createServer((req, res) => {
    fake.paths.push(req.url!);
    fake.headers.push(req.headers);
    served.set(req.socket, (served.get(req.socket) ?? 0) + 1);
    if (opts.dropReused && served.get(req.socket)! > 1) return void req.socket.destroy();
    const api = opts.api?.() ?? 4;
    const a = route(api, api === 3 ? V3 : plugins, req.url!, req.headers, opts);
    if (a === 'hang') return;
    if (a === 'cut') return void (res.writeHead(200, { 'Content-Length': '500' }), res.write('{"cpu":'), setTimeout(() => req.socket.destroy(), 5));
    res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers }).end(a.body);
  });
  server.on('connection', () => fake.connections++);
  return listen(server, fake, () => server.closeAllConnections());
}

async function listen(server: net.Server, fake: ReturnType<typeof recorded>, kill: () => void) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const close = () => new Promise<void>((r) => (kill(), server.close(() => r())));
  closers.push(close);
  return Object.assign(fake, { url: `http://127.0.0.1:${port}`, port, close });
}

function newClient(opts: ConstructorParameters<typeof GlancesClient>[0] = {}) {
  const c = new GlancesClient({ timeoutMs: 1000, connectTimeoutMs: 500, ...opts });
  closers.push(async () => c.close());
  return c;
}

async function failure(p: Promise<unknown>): Promise<GlancesError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(GlancesError);
  return e as GlancesError;
}

/** Messages reach users and alerts: no address, port or URL in them. */
function expectNoAddress(e: GlancesError, port: number) {
  expect(e.message).not.toMatch(/127\.0\.0\.1|localhost|http:|::1/);
  expect(e.message).not.toContain(String(port));
}

describe('GlancesClient against API v3 (HTTP/1.0, one connection per request)', () => {
  it('detects v3 after a 404 on /api/4/status and normalises one sample in 4 requests', async () => {
    const g = await fakeV3();
    const client = newClient();
    const s = await client.poll({ baseUrl: g.url });
    expect(g.paths).toEqual(['/api/4/status', '/api/3/status', '/api/3/quicklook', '/api/3/load', '/api/3/fs', '/api/3/network']);
    expect(s).toMatchObject({ apiVersion: 3, cpu: 50, memory: 2.9, swap: 0, load1: 0.4921875, load5: 0.80712890625, load15: 0.416015625 });
    expect(s.disks).toEqual([{ mount: '/', percent: 23.2 }]); // squashfs snap mount left out
    expect(s.disk).toBe(23.2);
    expect(s).toMatchObject({ netRx: 2000, netTx: 500, missing: [] }); // eth0 only, bytes over 2 s
    expect(s.uptimeSeconds).toBeUndefined();
    expect(s.at).toBeInstanceOf(Date);
    // The fake, like 3.3.1, fails /api/3/status with a 500 if deflate is acceptable.
    expect(g.headers.every((h) => h['accept-encoding'] === 'identity' && h.authorization === undefined)).toBe(true);
  });

  it('caches the version and reconnects for every request, as Glances 3 closes each one', async () => {
    const g = await fakeV3();
    const client = newClient();
    await client.poll({ baseUrl: g.url });
    const before = g.paths.length;
    const s = await client.poll({ baseUrl: g.url }, { includeInfo: true });
    expect(g.paths.slice(before)).toEqual(['/api/3/quicklook', '/api/3/load', '/api/3/fs', '/api/3/network', '/api/3/system', '/api/3/uptime']);
    expect(g.connections).toBe(g.paths.length);
    expect(s).toMatchObject({ hostname: 'vm', os: 'Debian GNU/Linux 12 64bit', uptimeSeconds: 3 * 86400 + 4 * 3600 + 5 * 60 + 6 });
    expect(g.paths.some((p) => p.endsWith('/all'))).toBe(false);
  });

  it('falls back to pluginslist when /api/3/status itself fails', async () => {
    const g = await fakeV3({ override: (p) => (p === '/api/3/status' ? { status: 500, body: 'boom' } : p === '/api/3/pluginslist' ? { status: 200, body: '["cpu"]' } : undefined) });
    expect(await newClient().detectVersion({ baseUrl: g.url })).toBe(3);
  });

  it('reports a disabled optional plugin as missing, a disabled required one as missing_plugin', async () => {
    const { network: _n, ...noNetwork } = V3;
    const g = await fakeV3({}, noNetwork);
    const s = await newClient().poll({ baseUrl: g.url });
    expect(s).toMatchObject({ netRx: null, netTx: null, missing: ['network'] });

    const { load: _l, ...noLoad } = V3;
    const g2 = await fakeV3({}, noLoad);
    const e = await failure(newClient().poll({ baseUrl: g2.url }));
    expect(e.kind).toBe('missing_plugin');
    expect(e.message).toContain("'load'");
  });
});

describe('GlancesClient against API v4 (keep-alive)', () => {
  it('detects v4 first and reuses one connection across polls', async () => {
    const g = await fakeV4();
    const client = newClient();
    const s = await client.poll({ baseUrl: g.url }, { includeInfo: true });
    await client.poll({ baseUrl: g.url });
    expect(g.paths.slice(0, 7)).toEqual(['/api/4/status', '/api/4/quicklook', '/api/4/load', '/api/4/fs', '/api/4/network', '/api/4/system', '/api/4/uptime']);
    expect(g.paths).toHaveLength(11);
    expect(g.connections).toBe(1);
    expect(s).toMatchObject({ apiVersion: 4, cpu: 12.3, memory: 76.7, swap: 16.2, load1: 3.84375, load15: 1.25146484375, disk: 24.9 });
    expect(s).toMatchObject({ netRx: 1200, netTx: 300, hostname: 'nicolargo-xps15', os: 'Ubuntu 24.04 64bit / Linux 6.14.0-27-generic' });
    expect(s.uptimeSeconds).toBe(6 * 86400 + 22 * 3600 + 22 * 60 + 1);
  });

  it('serves under a path prefix', async () => {
    const g = await fakeV4({ prefix: '/glances' });
    const s = await newClient().poll({ baseUrl: `${g.url}/glances/` });
    expect(s.apiVersion).toBe(4);
    expect(g.paths.every((p) => p.startsWith('/glances/api/4/'))).toBe(true);
  });

  it('sends basic auth, and a wrong password is an auth error', async () => {
    const g = await fakeV4({ auth: 'glances:s3cret' });
    const s = await newClient().poll({ baseUrl: g.url, username: 'glances', password: 's3cret' });
    expect(s.cpu).toBe(12.3);
    const e = await failure(newClient().poll({ baseUrl: g.url, username: 'glances', password: 'nope' }));
    expect(e).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(e.message).not.toContain('nope');
  });

  it('re-detects when the cached API version starts answering 404 (Glances upgraded)', async () => {
    let api: 3 | 4 = 3;
    const g = await fakeV4({ api: () => api });
    const client = newClient();
    expect((await client.poll({ baseUrl: g.url })).apiVersion).toBe(3);
    api = 4;
    expect((await client.poll({ baseUrl: g.url })).apiVersion).toBe(4);
    expect(client.cachedVersion({ baseUrl: g.url })).toBe(4);
    expect(g.paths.slice(-6)).toEqual(['/api/3/quicklook', '/api/4/status', '/api/4/quicklook', '/api/4/load', '/api/4/fs', '/api/4/network']);
  });

  it('retries once when a reused keep-alive socket turns out dead', async () => {
    const g = await fakeV4({ dropReused: true });
    expect((await newClient().poll({ baseUrl: g.url })).cpu).toBe(12.3);
    expect(g.connections).toBe(5); // status + 4 plugins, each retried on a fresh connection
  });
});

describe('GlancesClient failures', () => {
  it('refused', async () => {
    const g = await fakeV4();
    await g.close();
    const e = await failure(newClient().poll({ baseUrl: g.url }));
    expect(e.kind).toBe('refused');
    expect(e.detail).toContain('ECONNREFUSED');
    expectNoAddress(e, g.port);
  });

  it('hanging server: timeout', async () => {
    const g = await fakeV4({ override: (p) => (p.endsWith('/load') ? 'hang' : undefined) });
    const started = Date.now();
    const e = await failure(newClient({ timeoutMs: 200 }).poll({ baseUrl: g.url }));
    expect(e.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expectNoAddress(e, g.port);
  });

  it('caller abort ends the request as a timeout', async () => {
    const g = await fakeV3({ override: (p) => (p.endsWith('/quicklook') ? 'hang' : undefined) });
    const ac = new AbortController();
    const pending = newClient({ timeoutMs: 10_000 }).poll({ baseUrl: g.url }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await failure(pending)).kind).toBe('timeout');
  });

  it('HTTP 500 from a plugin', async () => {
    const g = await fakeV4({ override: (p) => (p.endsWith('/fs') ? { status: 500, body: 'Internal Server Error at 127.0.0.1' } : undefined) });
    const e = await failure(newClient().poll({ baseUrl: g.url }));
    expect(e).toMatchObject({ kind: 'http', httpStatus: 500 });
    expect(e.message).toBe('Glances answered with HTTP status 500.');
    expect(e.detail).toContain('Internal Server Error');
  });

  it('garbage JSON and wrong shapes are parse errors', async () => {
    const g = await fakeV3({ override: (p) => (p.endsWith('/quicklook') ? { status: 200, body: '{"cpu": 5, oops' } : undefined) });
    expect((await failure(newClient().poll({ baseUrl: g.url }))).kind).toBe('parse');
    const g2 = await fakeV3({ override: (p) => (p.endsWith('/load') ? { status: 200, body: '{"min1":"high"}' } : undefined) });
    expect((await failure(newClient().poll({ baseUrl: g2.url }))).kind).toBe('parse');
  });

  it('an answer cut short is a connection failure', async () => {
    const g = await fakeV3({ override: (p) => (p.endsWith('/quicklook') ? 'cut' : undefined) });
    expect((await failure(newClient().poll({ baseUrl: g.url }))).kind).toBe('refused');
  });

  it('caps the response size, declared or streamed', async () => {
    const big = JSON.stringify({ ...(V4.quicklook as object), pad: 'x'.repeat(5000) });
    const g = await fakeV4({ override: (p) => (p.endsWith('/quicklook') ? { status: 200, body: big } : undefined) });
    const e = await failure(newClient({ maxBytes: 2000 }).poll({ baseUrl: g.url }));
    expect(e.kind).toBe('parse');
    expect(e.message).toMatch(/too large/);
  });

  it('an address without a Glances API, or not an http(s) URL', async () => {
    const g = await fakeV4({ override: (p) => (p.includes('/status') ? { status: 404, body: 'nope' } : undefined) });
    expect(await failure(newClient().detectVersion({ baseUrl: g.url }))).toMatchObject({ kind: 'http', message: expect.stringMatching(/No Glances API/) });
    expect((await failure(newClient().poll({ baseUrl: 'ftp://10.0.0.5/' }))).message).not.toContain('10.0.0.5');
    expect((await failure(newClient().poll({ baseUrl: 'not a url' }))).kind).toBe('http');
  });
});
