import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp, probeTcp } from '@/lib/monitoring/target-probe';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(server: net.Server, kill: () => void = () => {}): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => (kill(), server.close(() => r()))));
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function noAddress(message: string, port: number) {
  expect(message).not.toMatch(/127\.0\.0\.1/);
  expect(message).not.toContain(String(port));
}

describe('probeTcp', () => {
  it('up when the port accepts', async () => {
    const port = await listen(net.createServer((s) => s.end()));
    const r = await probeTcp({ host: '127.0.0.1', port }, { timeoutMs: 1000 });
    expect(r.up).toBe(true);
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('down when refused, with a plain message and the raw error in detail', async () => {
    const port = await closedPort();
    const r = await probeTcp({ host: '127.0.0.1', port }, { timeoutMs: 1000 });
    expect(r).toMatchObject({ up: false, message: 'The target refused the connection.' });
    expect(r.detail).toContain('ECONNREFUSED');
    noAddress(r.message, port);
  });

  it('down when aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await probeTcp({ host: '127.0.0.1', port: 1 }, { signal: ac.signal })).up).toBe(false);
  });
});

describe('probeHttp', () => {
  async function serve(handler: http.RequestListener) {
    const server = http.createServer(handler);
    return listen(server, () => server.closeAllConnections());
  }

  it.each([
    [200, true],
    [301, true],
    [404, true],
    [401, true],
    [499, true],
    [500, false],
    [502, false],
    [503, false],
  ])('HTTP %d → up=%s', async (status, up) => {
    const port = await serve((_req, res) => res.writeHead(status).end('x'));
    const r = await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 1000 });
    expect(r).toMatchObject({ up, statusCode: status });
    noAddress(r.message, port);
  });

  it('sends the path and Host header, and does not wait for the body', async () => {
    let seen: http.IncomingHttpHeaders = {};
    let path = '';
    const port = await serve((req, res) => {
      seen = req.headers;
      path = req.url!;
      res.writeHead(200);
      res.write('streaming forever');
    });
    const r = await probeHttp({ host: '127.0.0.1', port, path: '/healthz', hostHeader: 'shop.example.com' }, { timeoutMs: 1000 });
    expect(r.up).toBe(true);
    expect(path).toBe('/healthz');
    expect(seen.host).toBe('shop.example.com');
  });

  it('down on timeout when the target never answers', async () => {
    const port = await serve(() => {});
    const started = Date.now();
    const r = await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 150 });
    expect(r).toMatchObject({ up: false, message: 'The target did not answer in time.' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('down when refused', async () => {
    const port = await closedPort();
    const r = await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 1000 });
    expect(r).toMatchObject({ up: false, message: 'The target refused the connection.' });
    noAddress(r.message, port);
  });

  it('down when the target speaks something other than HTTP', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => (sockets.add(s), s.end('SSH-2.0-OpenSSH_9.2\r\n')));
    const port = await listen(server, () => sockets.forEach((s) => s.destroy()));
    const r = await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 1000 });
    expect(r).toMatchObject({ up: false, message: 'The target did not answer with HTTP.' });
    noAddress(r.message, port);
  });
});
