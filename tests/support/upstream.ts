/**
 * A tiny test upstream (node:http, in-process) that answers with its name, and a WebSocket echo
 * (RFC 6455, written here: no dependency). Also a minimal WebSocket client for tests, since
 * Node 20 has no global WebSocket.
 *
 *   const a = await startHttpUpstream({ name: 'a' });
 *   GET  http://127.0.0.1:${a.port}/anything      -> 200 JSON { upstream: 'a', method, url, headers, bodyBytes, bodySha256 }
 *   POST /anything (any size, streamed and hashed, never buffered whole)
 *   POST /__echo                                 -> the request body back, byte for byte
 *   GET  /__status/503                           -> that status (JSON body with the name)
 *   GET  /__delay/1500                           -> answers after 1.5 s
 *   GET  /__bytes/1048576                        -> that many bytes of 'x'
 *   Upgrade: websocket on any path               -> echoes every text/binary message; first
 *                                                   sends nothing; 101 carries X-Upstream: <name>
 *   a.hits: every request seen (method, url, headers, at); a.wsConnections: upgrades seen
 */
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface UpstreamHit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  remoteAddress: string | undefined;
  at: number;
}

export interface HttpUpstream {
  name: string;
  host: '127.0.0.1';
  port: number;
  url: string;
  hits: UpstreamHit[];
  /** Upgrade requests accepted as WebSocket connections. */
  wsConnections: UpstreamHit[];
  /** Forget recorded hits. */
  reset(): void;
  stop(): Promise<void>;
}

export interface HttpUpstreamOptions {
  name: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Every answer on non-__ paths uses this status (default 200). */
  status?: number;
}

export async function startHttpUpstream(opts: HttpUpstreamOptions): Promise<HttpUpstream> {
  const name = opts.name;
  const hits: UpstreamHit[] = [];
  const wsConnections: UpstreamHit[] = [];
  const sockets = new Set<net.Socket>();

  const record = (req: http.IncomingMessage, list: UpstreamHit[]) =>
    list.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, remoteAddress: req.socket.remoteAddress, at: Date.now() });

  const server = http.createServer((req, res) => {
    record(req, hits);
    const url = req.url ?? '/';
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': name, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    if (url.startsWith('/__echo')) {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'x-upstream': name });
      req.pipe(res);
      return;
    }
    const m = /^\/__(status|delay|bytes)\/(\d+)/.exec(url);
    if (m && m[1] === 'bytes') {
      req.resume();
      const n = Number(m[2]);
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name, 'content-length': n });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = n;
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }

    // Stream the body through a hash: large uploads are fine.
    const hash = crypto.createHash('sha256');
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => {
      bodyBytes += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      const answer = {
        upstream: name,
        method: req.method,
        url,
        httpVersion: req.httpVersion,
        headers: req.headers,
        bodyBytes,
        bodySha256: hash.digest('hex'),
      };
      if (m && m[1] === 'status') return json(Number(m[2]), answer);
      if (m && m[1] === 'delay') {
        const t = setTimeout(() => json(opts.status ?? 200, answer), Number(m[2]));
        res.on('close', () => clearTimeout(t));
        return;
      }
      json(opts.status ?? 200, answer);
    });
  });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  server.on('upgrade', (req, socket: net.Socket, head: Buffer) => {
    const key = req.headers['sec-websocket-key'];
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    record(req, wsConnections);
    const accept = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\nX-Upstream: ${name}\r\n\r\n`,
    );
    socket.setNoDelay(true);
    const parser = new FrameParser((frame) => {
      if (frame.opcode === 0x8) {
        socket.end(encodeFrame(0x8, frame.payload.subarray(0, 2), false));
      } else if (frame.opcode === 0x9) {
        socket.write(encodeFrame(0xa, frame.payload, false));
      } else if (frame.opcode === 0x1 || frame.opcode === 0x2) {
        socket.write(encodeFrame(frame.opcode, frame.payload, false));
      }
    });
    socket.on('data', (d: Buffer) => parser.push(d));
    socket.on('error', () => socket.destroy());
    if (head.length) parser.push(head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: opts.port ?? 0 }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    name,
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    wsConnections,
    reset() {
      hits.length = 0;
      wsConnections.length = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RFC 6455 framing
// ---------------------------------------------------------------------------------------------

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Encodes one frame; clients must mask (RFC 6455 5.3), servers must not. */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const headerLen = 2 + (len < 126 ? 0 : len < 65536 ? 2 : 8) + (mask ? 4 : 0);
  const out = Buffer.alloc(headerLen + len);
  out[0] = 0x80 | opcode;
  let off = 2;
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
    off = 4;
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(len), 2);
    off = 10;
  }
  if (mask) {
    out[1] |= 0x80;
    const key = crypto.randomBytes(4);
    key.copy(out, off);
    off += 4;
    for (let i = 0; i < len; i++) out[off + i] = payload[i] ^ key[i & 3];
  } else payload.copy(out, off);
  return out;
}

/** Incremental frame parser; reassembles fragmented messages. */
class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;
  constructor(private onFrame: (f: Frame) => void) {}

  push(data: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const total = off + (masked ? 4 : 0) + len;
      if (this.buf.length < total) return;
      let payload = Buffer.from(this.buf.subarray(off + (masked ? 4 : 0), total));
      if (masked) {
        const key = this.buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      }
      this.buf = this.buf.subarray(total);
      const fin = (b0 & 0x80) !== 0;
      let opcode = b0 & 0x0f;
      if (opcode === 0x0) {
        this.fragments.push(payload);
        if (!fin) continue;
        payload = Buffer.concat(this.fragments);
        opcode = this.fragOpcode;
        this.fragments = [];
      } else if (!fin && opcode < 0x8) {
        this.fragOpcode = opcode;
        this.fragments = [payload];
        continue;
      }
      this.onFrame({ fin: true, opcode, payload });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Minimal WebSocket client for tests
// ---------------------------------------------------------------------------------------------

export interface TestWebSocket {
  /** Response headers of the 101. */
  headers: http.IncomingHttpHeaders;
  send(message: string | Buffer): void;
  /** Resolves with the next message (text as string, binary as Buffer). */
  next(timeoutMs?: number): Promise<string | Buffer>;
  close(): Promise<void>;
}

/** Opens ws://host:port/path (optionally through a proxy: pass `connectTo` and keep the URL's host). */
export function connectWebSocket(
  url: string,
  opts: { headers?: Record<string, string>; connectTo?: { host: string; port: number }; timeoutMs?: number } = {},
): Promise<TestWebSocket> {
  const u = new URL(url);
  const key = crypto.randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: opts.connectTo?.host ?? u.hostname,
      port: opts.connectTo?.port ?? Number(u.port || 80),
      path: `${u.pathname}${u.search}`,
      agent: false,
      headers: {
        host: u.host,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': key,
        ...opts.headers,
      },
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`WebSocket ${url}: handshake timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => reject(new Error(`WebSocket ${url}: HTTP ${res.statusCode} instead of 101: ${body.slice(0, 200)}`)));
    });
    req.on('upgrade', (res, socket: net.Socket, head: Buffer) => {
      req.setTimeout(0);
      const expected = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        return reject(new Error('WebSocket: bad Sec-WebSocket-Accept'));
      }
      socket.setNoDelay(true);
      const queue: Array<string | Buffer> = [];
      const waiters: Array<{ resolve: (m: string | Buffer) => void; reject: (e: Error) => void }> = [];
      let closed = false;
      let closeResolve: (() => void) | undefined;
      const fail = (err: Error) => {
        closed = true;
        for (const w of waiters.splice(0)) w.reject(err);
      };
      const parser = new FrameParser((f) => {
        if (f.opcode === 0x8) {
          if (!socket.destroyed) socket.end();
          fail(new Error('WebSocket closed by peer'));
          closeResolve?.();
          return;
        }
        if (f.opcode === 0x9) return void socket.write(encodeFrame(0xa, f.payload, true));
        if (f.opcode !== 0x1 && f.opcode !== 0x2) return;
        const msg = f.opcode === 0x1 ? f.payload.toString('utf8') : f.payload;
        const w = waiters.shift();
        if (w) w.resolve(msg);
        else queue.push(msg);
      });
      socket.on('data', (d: Buffer) => parser.push(d));
      socket.on('close', () => {
        fail(new Error('WebSocket connection closed'));
        closeResolve?.();
      });
      socket.on('error', (e) => fail(e));
      if (head.length) parser.push(head);
      resolve({
        headers: res.headers,
        send(message) {
          const payload = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
          socket.write(encodeFrame(typeof message === 'string' ? 0x1 : 0x2, payload, true));
        },
        next(timeoutMs = 5000) {
          const queued = queue.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          if (closed) return Promise.reject(new Error('WebSocket closed'));
          return new Promise((res2, rej2) => {
            const t = setTimeout(() => {
              const i = waiters.findIndex((w) => w.resolve === done);
              if (i >= 0) waiters.splice(i, 1);
              rej2(new Error(`WebSocket: no message within ${timeoutMs} ms`));
            }, timeoutMs);
            const done = (m: string | Buffer) => {
              clearTimeout(t);
              res2(m);
            };
            waiters.push({
              resolve: done,
              reject: (e) => {
                clearTimeout(t);
                rej2(e);
              },
            });
          });
        },
        close() {
          if (socket.destroyed) return Promise.resolve();
          return new Promise<void>((res2) => {
            closeResolve = res2;
            const code = Buffer.alloc(2);
            code.writeUInt16BE(1000);
            socket.write(encodeFrame(0x8, code, true));
            setTimeout(() => {
              socket.destroy();
              res2();
            }, 2000).unref();
          });
        },
      });
    });
    req.end();
  });
}
