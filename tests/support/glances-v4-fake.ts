/**
 * In-process fake Glances servers (node:http) replaying the JSON shapes of the real ones.
 *
 * API v4 shapes come from Glances' own docs (docs/api/restful.rst and
 * glances/outputs/glances_restful_api.py in nicolargo/glances, 4.x): FastAPI/uvicorn, HTTP/1.1
 * keep-alive, gzip for bodies >= 1000 bytes when the client accepts it, `/api/4/status` ->
 * {"version": "4.x"}, errors as {"detail": "..."}; an unknown plugin is 400
 * "Unknown plugin X (available plugins: [...])"; basic auth failures are 401 with
 * `WWW-Authenticate: Basic`.
 * API v3 shapes are the ones the real Glances 3.3.1 on this machine answers (bottle): HTTP/1.0
 * style (connection closed after each response), `/api/3/status` -> 200 with an empty body, or
 * 500 when the client accepts deflate (a real 3.3.1 quirk), unknown plugin -> 400 HTML page,
 * network entries with rx/tx/cx and cumulative_* instead of v4's bytes_recv/bytes_sent.
 * Neither version has a multi-plugin endpoint other than /all.
 *
 *   const g = await startGlancesV4Fake();                     // http://127.0.0.1:PORT, API v4
 *   g.setStats({ cpu: 42, mem: 63.5, load: [1.5, 1, 0.5], fs: [{ mnt_point: '/', percent: 91 }] });
 *   g.setFailure('http500');  g.setFailure('missingPlugin:network');  g.clearFailures();
 *   const fleet = await startGlancesFleetFake({ count: 2000, latencyMs: [50, 100] });
 *   fleet.baseUrl(17)  // http://127.0.0.1:PORT/s/17   (Glances base URL with a path prefix)
 *   fleet.hold(); …every poll is in flight, unanswered…; fleet.release()
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// Stats model
// ---------------------------------------------------------------------------------------------

export interface FakeFs {
  mnt_point: string;
  percent: number;
  device_name?: string;
  fs_type?: string;
  /** bytes (default 100 GB) */
  size?: number;
}

export interface FakeNic {
  interface_name: string;
  /** receive rate, bytes per second */
  rxPerSec: number;
  /** transmit rate, bytes per second */
  txPerSec: number;
  /** cumulative counters (bytes); grow on every read when omitted */
  rxTotal?: number;
  txTotal?: number;
  is_up?: boolean;
}

export interface FakeStats {
  /** CPU total, percent */
  cpu: number;
  cpucore: number;
  /** memory used, percent */
  mem: number;
  memTotal: number;
  /** swap used, percent */
  swap: number;
  swapTotal: number;
  load: [number, number, number];
  fs: FakeFs[];
  network: FakeNic[];
  uptimeSeconds: number;
  hostname: string;
  osName: string;
  linuxDistro: string;
  osVersion: string;
  platform: string;
  cpuName: string;
  /** Glances version reported by /api/4/status */
  version: string;
  /** Processes listed in /all (real /all carries the whole process list; ~300 bytes each). */
  processCount: number;
}

export function defaultFakeStats(seed = 0): FakeStats {
  return {
    cpu: 5 + ((seed * 7) % 60),
    cpucore: 4,
    mem: 20 + ((seed * 11) % 60),
    memTotal: 8 * 1024 ** 3,
    swap: (seed * 3) % 10,
    swapTotal: 2 * 1024 ** 3,
    load: [0.5 + (seed % 5) * 0.1, 0.4, 0.3],
    fs: [{ mnt_point: '/', percent: 30 + (seed % 50), device_name: '/dev/vda1', fs_type: 'ext4', size: 100 * 1024 ** 3 }],
    network: [{ interface_name: 'eth0', rxPerSec: 12_000 + seed, txPerSec: 3_000 + seed, is_up: true }],
    uptimeSeconds: 86_400 * 6 + 3_600 * 22 + 1_321 + seed,
    hostname: `fake-host-${seed}`,
    osName: 'Linux',
    linuxDistro: 'Debian GNU/Linux 12',
    osVersion: '6.1.0-18-amd64',
    platform: '64bit',
    cpuName: 'Fake CPU @ 2.40GHz',
    version: '4.3.1',
    processCount: 100,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Python's str(timedelta(seconds=n)): "6 days, 22:22:01" / "1 day, 0:00:05" / "3:04:05". */
export function pythonTimedelta(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

interface Counters {
  reads: number;
  startedAt: number;
}

function cpuParts(st: FakeStats) {
  return { user: round1(st.cpu * 0.7), system: round1(st.cpu * 0.25), iowait: round1(st.cpu * 0.05), idle: round1(100 - st.cpu) };
}

function percpu(st: FakeStats) {
  return Array.from({ length: st.cpucore }, (_, i) => ({
    key: 'cpu_number',
    cpu_number: i,
    total: round1(st.cpu),
    user: round1(st.cpu * 0.7),
    system: round1(st.cpu * 0.25),
    idle: round1(100 - st.cpu),
    nice: 0.0,
    iowait: round1(st.cpu * 0.05),
    irq: 0.0,
    softirq: 0.0,
    steal: 0.0,
    guest: 0.0,
    guest_nice: 0.0,
  }));
}

function memShape(st: FakeStats) {
  const used = Math.round((st.memTotal * st.mem) / 100);
  return {
    total: st.memTotal,
    available: st.memTotal - used,
    percent: st.mem,
    used,
    free: st.memTotal - used,
    active: Math.round(used * 0.8),
    inactive: Math.round(used * 0.3),
    buffers: 52_750_745,
    cached: 499_029_854,
    shared: 87_390_617,
  };
}

function swapShape(st: FakeStats) {
  const used = Math.round((st.swapTotal * st.swap) / 100);
  return { total: st.swapTotal, used, free: st.swapTotal - used, percent: st.swap, sin: 1_099_583_488, sout: 2_783_449_088, time_since_update: 1 };
}

function fsShape(st: FakeStats, v4: boolean) {
  return st.fs.map((f) => {
    const size = f.size ?? 100 * 1024 ** 3;
    const used = Math.round((size * f.percent) / 100);
    return {
      device_name: f.device_name ?? '/dev/vda1',
      fs_type: f.fs_type ?? 'ext4',
      mnt_point: f.mnt_point,
      ...(v4 ? { options: 'rw,relatime' } : {}),
      size,
      used,
      free: size - used,
      percent: f.percent,
      key: 'mnt_point',
    };
  });
}

function systemShape(st: FakeStats) {
  return {
    os_name: st.osName,
    hostname: st.hostname,
    platform: st.platform,
    linux_distro: st.linuxDistro,
    os_version: st.osVersion,
    hr_name: `${st.linuxDistro} ${st.platform}`,
  };
}

function processList(st: FakeStats) {
  return Array.from({ length: st.processCount }, (_, i) => ({
    cmdline: [`/usr/bin/fake-process-${i}`, '--serve'],
    cpu_percent: (i % 7) * 0.5,
    cpu_times: { user: 12.5, system: 3.2, children_user: 0, children_system: 0, iowait: 0 },
    gids: { real: 0, effective: 0, saved: 0 },
    io_counters: [0, 0, 0, 0, 0],
    key: 'pid',
    memory_info: { rss: 10_485_760, vms: 104_857_600, shared: 4_194_304, text: 1_048_576, lib: 0, data: 8_388_608, dirty: 0 },
    memory_percent: 0.12,
    name: `fake-process-${i}`,
    nice: 0,
    num_threads: 4,
    pid: 1000 + i,
    status: 'S',
    time_since_update: 1,
    username: 'root',
  }));
}

const V4_PLUGINS = ['alert', 'cpu', 'core', 'fs', 'load', 'mem', 'memswap', 'network', 'now', 'percpu', 'processcount', 'processlist', 'quicklook', 'system', 'uptime', 'version'];
const V3_PLUGINS = ['alert', 'cpu', 'core', 'fs', 'load', 'mem', 'memswap', 'network', 'now', 'percpu', 'processcount', 'processlist', 'quicklook', 'system', 'uptime'];

/** Stats of every plugin in API v4 shapes. */
export function glancesV4Shapes(st: FakeStats, c: Counters = { reads: 1, startedAt: Date.now() }): Record<string, unknown> {
  const parts = cpuParts(st);
  const elapsed = Math.max(1, (Date.now() - c.startedAt) / 1000);
  return {
    alert: [],
    cpu: {
      total: st.cpu,
      user: parts.user,
      nice: 0.0,
      system: parts.system,
      idle: parts.idle,
      iowait: parts.iowait,
      irq: 0.0,
      steal: 0.0,
      guest: 0.0,
      ctx_switches: 247_905_579,
      interrupts: 194_831_845,
      soft_interrupts: 81_784_950,
      syscalls: 0,
      cpucore: st.cpucore,
      time_since_update: 1,
    },
    core: { log: st.cpucore, phys: Math.max(1, st.cpucore / 2) },
    fs: fsShape(st, true),
    load: { min1: st.load[0], min5: st.load[1], min15: st.load[2], cpucore: st.cpucore },
    mem: memShape(st),
    memswap: swapShape(st),
    network: st.network.map((n) => {
      const rxTotal = n.rxTotal ?? Math.round(n.rxPerSec * elapsed) + 1_180_080_454;
      const txTotal = n.txTotal ?? Math.round(n.txPerSec * elapsed) + 392_000_602;
      return {
        interface_name: n.interface_name,
        alias: null,
        bytes_recv: n.rxPerSec,
        bytes_recv_gauge: rxTotal,
        bytes_recv_rate_per_sec: n.rxPerSec,
        bytes_sent: n.txPerSec,
        bytes_sent_gauge: txTotal,
        bytes_sent_rate_per_sec: n.txPerSec,
        bytes_all: n.rxPerSec + n.txPerSec,
        bytes_all_gauge: rxTotal + txTotal,
        bytes_all_rate_per_sec: n.rxPerSec + n.txPerSec,
        is_up: n.is_up ?? true,
        speed: 0,
        key: 'interface_name',
        time_since_update: 1,
      };
    }),
    now: { custom: new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC', iso: new Date().toISOString().replace('Z', '+00:00') },
    percpu: percpu(st),
    processcount: { total: st.processCount, running: 1, sleeping: st.processCount - 1, thread: st.processCount * 4, pid_max: 0 },
    processlist: processList(st),
    quicklook: {
      cpu: st.cpu,
      cpu_hz: 2_400_000_000.0,
      cpu_hz_current: 2_396_130_000.0,
      cpu_log_core: st.cpucore,
      cpu_phys_core: Math.max(1, st.cpucore / 2),
      cpu_name: st.cpuName,
      load: round1((st.load[0] / st.cpucore) * 100),
      mem: st.mem,
      percpu: percpu(st),
      swap: st.swap,
    },
    system: systemShape(st),
    uptime: pythonTimedelta(st.uptimeSeconds + (Date.now() - c.startedAt) / 1000),
    version: st.version,
  };
}

/** Stats of every plugin in API v3 shapes (as Glances 3.3.1 answers them). */
export function glancesV3Shapes(st: FakeStats, c: Counters = { reads: 1, startedAt: Date.now() }): Record<string, unknown> {
  const parts = cpuParts(st);
  const elapsed = Math.max(1, (Date.now() - c.startedAt) / 1000);
  return {
    alert: [],
    cpu: {
      total: st.cpu,
      user: parts.user,
      nice: 0.0,
      system: parts.system,
      idle: parts.idle,
      iowait: parts.iowait,
      irq: 0.0,
      softirq: 0.0,
      steal: 0.0,
      guest: 0.0,
      guest_nice: 0.0,
      time_since_update: 1,
      cpucore: st.cpucore,
      ctx_switches: 0,
      interrupts: 0,
      soft_interrupts: 0,
      syscalls: 0,
    },
    core: { phys: Math.max(1, st.cpucore / 2), log: st.cpucore },
    fs: fsShape(st, false),
    load: { min1: st.load[0], min5: st.load[1], min15: st.load[2], cpucore: st.cpucore },
    mem: memShape(st),
    memswap: swapShape(st),
    network: st.network.map((n) => {
      const rxTotal = n.rxTotal ?? Math.round(n.rxPerSec * elapsed) + 812_768_525;
      const txTotal = n.txTotal ?? Math.round(n.txPerSec * elapsed) + 1_420_990;
      return {
        interface_name: n.interface_name,
        alias: null,
        time_since_update: 1,
        cumulative_rx: rxTotal,
        rx: n.rxPerSec,
        cumulative_tx: txTotal,
        tx: n.txPerSec,
        cumulative_cx: rxTotal + txTotal,
        cx: n.rxPerSec + n.txPerSec,
        is_up: n.is_up ?? true,
        speed: 0,
        key: 'interface_name',
      };
    }),
    now: new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC',
    percpu: percpu(st),
    processcount: { total: st.processCount, running: 1, sleeping: st.processCount - 1, thread: st.processCount * 4, pid_max: 0 },
    processlist: processList(st),
    quicklook: {
      cpu: st.cpu,
      percpu: percpu(st),
      mem: st.mem,
      swap: st.swap,
      cpu_name: st.cpuName,
      cpu_hz_current: 2_596_130_000.0,
      cpu_hz: 0.0,
    },
    system: systemShape(st),
    uptime: pythonTimedelta(st.uptimeSeconds + (Date.now() - c.startedAt) / 1000),
  };
}

function plugin(shapes: Record<string, unknown>, name: string): unknown {
  return shapes[name];
}

// ---------------------------------------------------------------------------------------------
// One simulated server: routing, auth, failures, latency
// ---------------------------------------------------------------------------------------------

export type GlancesFailure = 'refuse' | 'reset' | 'hang' | 'http500' | 'garbage' | `missingPlugin:${string}`;

export interface FakeServerOptions {
  /** Which API the server speaks: 4 (Glances 4), 3 (Glances 3.3.1), or both. Default 4. */
  apiVersion?: 3 | 4 | 'both';
  auth?: { username: string; password: string };
  /** Added to every answer: a number, or [min, max] for a uniform random pick. */
  latencyMs?: number | [number, number];
  stats?: Partial<FakeStats>;
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

class SimulatedGlances {
  stats: FakeStats;
  failure: GlancesFailure | null = null;
  missing = new Set<string>();
  requests = 0;
  log: FakeRequest[] | null;
  readonly counters: Counters = { reads: 0, startedAt: Date.now() };

  constructor(
    seed: number,
    public opts: FakeServerOptions,
    keepLog: boolean,
  ) {
    this.stats = { ...defaultFakeStats(seed), ...opts.stats };
    this.log = keepLog ? [] : null;
  }

  setFailure(mode: GlancesFailure | null) {
    if (mode && mode.startsWith('missingPlugin:')) this.missing.add(mode.slice('missingPlugin:'.length));
    else this.failure = mode;
  }

  clearFailures() {
    this.failure = null;
    this.missing.clear();
  }

  latency(): number {
    const l = this.opts.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === 'number') return l;
    return l[0] + Math.random() * (l[1] - l[0]);
  }

  /** Handles a request whose path has already had any /s/<n> prefix removed. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string, hanging: Set<http.ServerResponse>) {
    this.requests++;
    this.log?.push({ method: req.method ?? '', path, headers: req.headers, at: Date.now() });
    if (this.failure === 'reset' || this.failure === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (this.failure === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const delay = this.latency();
    if (delay > 0) {
      const t = setTimeout(() => this.answer(req, res, path), delay);
      res.on('close', () => clearTimeout(t));
    } else this.answer(req, res, path);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    if (res.destroyed) return;
    const m = /^\/api\/(\d+)(\/.*)?$/.exec(path.split('?')[0]);
    const version = this.opts.apiVersion ?? 4;
    const wanted = m ? Number(m[1]) : 0;
    const speaks = (v: number) => version === 'both' || version === v;
    // Which server style answers: the one matching the URL if spoken, else the primary.
    const style: 3 | 4 = wanted === 3 && speaks(3) ? 3 : wanted === 4 && speaks(4) ? 4 : version === 3 ? 3 : 4;
    const send = style === 3 ? sendV3 : sendV4;

    if (this.opts.auth) {
      const expected = `Basic ${Buffer.from(`${this.opts.auth.username}:${this.opts.auth.password}`).toString('base64')}`;
      const got = req.headers.authorization;
      if (got !== expected) {
        if (style === 3) return sendV3(req, res, 401, htmlError(401, 'Access denied'), { 'www-authenticate': 'Basic realm="private"' });
        return sendV4(req, res, 401, { detail: got ? 'Incorrect username or password' : 'Not authenticated' }, { 'www-authenticate': 'Basic' });
      }
    }
    if (!m || !speaks(wanted)) {
      return style === 3 ? send(req, res, 404, htmlError(404, `Not found: '${path}'`)) : send(req, res, 404, { detail: 'Not Found' });
    }
    if (this.failure === 'http500') {
      return style === 3 ? send(req, res, 500, htmlError(500, 'Internal Server Error')) : send(req, res, 500, { detail: 'Internal Server Error' });
    }
    if (this.failure === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json', ...(style === 3 ? { connection: 'close' } : {}) });
      res.end('{"total": 12.5, "user": <<garbage');
      return;
    }

    const segs = (m[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    const plugins = (style === 3 ? V3_PLUGINS : V4_PLUGINS).filter((p) => !this.missing.has(p));
    const [first, second, third, fourth] = segs;

    if (first === 'status') {
      if (style === 3) {
        // Glances 3.3.1: empty 200, but 500 when the client accepts deflate.
        if (/deflate/i.test(String(req.headers['accept-encoding'] ?? ''))) return send(req, res, 500, htmlError(500, 'Internal Server Error'));
        res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', 'content-length': 0, connection: 'close' });
        res.end();
        return;
      }
      return send(req, res, 200, { version: this.stats.version });
    }
    if (first === 'pluginslist') return send(req, res, 200, plugins);
    this.counters.reads++;
    const shapes = style === 3 ? glancesV3Shapes(this.stats, this.counters) : glancesV4Shapes(this.stats, this.counters);
    if (first === 'all' && !second) return send(req, res, 200, Object.fromEntries(plugins.map((p) => [p, shapes[p]])));
    if (!first) return style === 3 ? send(req, res, 404, htmlError(404, 'Not found')) : send(req, res, 404, { detail: 'Not Found' });
    if (!plugins.includes(first)) {
      const msg = `Unknown plugin ${first} (available plugins: [${plugins.map((p) => `'${p}'`).join(', ')}])`;
      return style === 3 ? send(req, res, 400, htmlError(400, msg)) : send(req, res, 400, { detail: msg });
    }
    const value = plugin(shapes, first);
    if (!second) return send(req, res, 200, value);
    // /<plugin>/<item>[/value/<v>] (v4) or /<plugin>/<item>/<v> (v3)
    const item = second;
    if (Array.isArray(value)) {
      const rows = value as Array<Record<string, unknown>>;
      const wantValue = style === 4 ? (third === 'value' ? fourth : undefined) : third;
      if (wantValue !== undefined) return send(req, res, 200, { [wantValue]: rows.filter((r) => String(r[item]) === wantValue) });
      return send(req, res, 200, { [item]: rows.map((r) => r[item]) });
    }
    if (value && typeof value === 'object' && item in (value as object)) {
      return send(req, res, 200, { [item]: (value as Record<string, unknown>)[item] });
    }
    const msg = `Cannot get item ${item} in plugin ${first}`;
    return style === 3 ? send(req, res, 404, htmlError(404, msg)) : send(req, res, 404, { detail: msg });
  }
}

function htmlError(status: number, message: string): string {
  const title = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error';
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>Error: ${status} ${title}</title></head><body><h1>Error: ${status} ${title}</h1><pre>${message.replace(/'/g, '&#039;')}</pre></body></html>\n`;
}

/** Glances 3 (bottle): JSON or HTML, no compression, connection closed after the answer. */
function sendV3(_req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const isHtml = typeof body === 'string' && body.startsWith('<!DOCTYPE');
  const text = isHtml ? (body as string) : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isHtml ? 'text/html; charset=UTF-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
    ...headers,
  });
  res.end(text);
}

/** Glances 4 (FastAPI): JSON, gzip for bodies >= 1000 bytes when accepted, keep-alive. */
function sendV4(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  let data: Buffer = Buffer.from(JSON.stringify(body));
  const h: Record<string, string | number> = { 'content-type': 'application/json', ...headers };
  if (data.length >= 1000 && /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''))) {
    data = zlib.gzipSync(data, { level: 1 });
    h['content-encoding'] = 'gzip';
    h.vary = 'Accept-Encoding';
  }
  h['content-length'] = data.length;
  res.writeHead(status, h);
  res.end(req.method === 'HEAD' ? undefined : data);
}

// ---------------------------------------------------------------------------------------------
// Server plumbing
// ---------------------------------------------------------------------------------------------

interface Plumbing {
  server: http.Server;
  port: number;
  sockets: Set<net.Socket>;
  hanging: Set<http.ServerResponse>;
  listening: boolean;
  listen(): Promise<void>;
  unlisten(): Promise<void>;
  close(): Promise<void>;
}

async function plumbing(handler: (req: http.IncomingMessage, res: http.ServerResponse, hanging: Set<http.ServerResponse>) => void): Promise<Plumbing> {
  const sockets = new Set<net.Socket>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => handler(req, res, hanging));
  server.keepAliveTimeout = 5000; // uvicorn's default
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const p: Plumbing = {
    server,
    port: 0,
    sockets,
    hanging,
    listening: false,
    async listen() {
      if (p.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: p.port, backlog: 4096 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      p.port = (server.address() as net.AddressInfo).port;
      p.listening = true;
    },
    async unlisten() {
      if (!p.listening) return;
      p.listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async close() {
      for (const r of hanging) r.destroy();
      await p.unlisten();
    },
  };
  await p.listen();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Single fake server
// ---------------------------------------------------------------------------------------------

export interface GlancesV4Fake {
  host: '127.0.0.1';
  port: number;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** Every request seen: method, path, headers. */
  requests: FakeRequest[];
  stats: FakeStats;
  setStats(partial: Partial<FakeStats>): void;
  /**
   * 'refuse' closes the listening socket (connection refused) until cleared; 'reset' destroys each
   * connection; 'hang' never answers; 'http500'; 'garbage' (200 with invalid JSON);
   * 'missingPlugin:<name>' (400 "Unknown plugin", as real Glances answers; repeatable). null clears
   * the general mode (not the missing plugins).
   */
  setFailure(mode: GlancesFailure | null): Promise<void>;
  /** Clears every failure mode and missing plugin (and listens again after 'refuse'). */
  clearFailures(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGlancesV4Fake(opts: FakeServerOptions = {}): Promise<GlancesV4Fake> {
  const sim = new SimulatedGlances(0, opts, true);
  const pl = await plumbing((req, res, hanging) => sim.handle(req, res, req.url ?? '/', hanging));
  const fake: GlancesV4Fake = {
    host: '127.0.0.1',
    port: pl.port,
    baseUrl: `http://127.0.0.1:${pl.port}`,
    requests: sim.log!,
    get stats() {
      return sim.stats;
    },
    setStats(partial) {
      Object.assign(sim.stats, partial);
    },
    async setFailure(mode) {
      sim.setFailure(mode);
      if (mode === 'refuse') await pl.unlisten();
      else if (sim.failure !== 'refuse') await pl.listen();
      if (mode !== 'hang') for (const r of pl.hanging) r.destroy();
    },
    async clearFailures() {
      sim.clearFailures();
      for (const r of pl.hanging) r.destroy();
      await pl.listen();
    },
    stop: () => pl.close(),
  };
  return fake;
}

// ---------------------------------------------------------------------------------------------
// Fleet: many simulated servers behind one port
// ---------------------------------------------------------------------------------------------

export interface GlancesFleetOptions {
  count: number;
  /** Per-request latency: a number or [min, max] (uniform). Default 0. */
  latencyMs?: number | [number, number];
  /** API each simulated server speaks (default 'both'); a function picks per server index. */
  apiVersion?: 3 | 4 | 'both' | ((index: number) => 3 | 4 | 'both');
  auth?: { username: string; password: string };
  /** Processes in /all per server (default 100, about 30 KB like a small real host). */
  processCount?: number;
}

export interface GlancesFleetFake {
  port: number;
  count: number;
  /** Base URL of simulated server n (0-based): http://127.0.0.1:PORT/s/<n> */
  baseUrl(n: number): string;
  /** All base URLs. */
  urls(): string[];
  setStats(n: number, partial: Partial<FakeStats>): void;
  /** 'refuse' cannot be per server on a shared port: it resets the connection like 'reset'. */
  setFailure(n: number, mode: GlancesFailure | null): void;
  clearFailures(n?: number): void;
  /** Requests served so far (total and per server). */
  requestCount(n?: number): number;
  /** Holds every answer from now on (requests wait, unanswered) until `release()`: a cycle frozen mid-flight. */
  hold(): void;
  /** Answers the held requests and stops holding. */
  release(): void;
  /** Requests waiting in a hold. */
  heldCount(): number;
  resetCounts(): void;
  stop(): Promise<void>;
}

export async function startGlancesFleetFake(opts: GlancesFleetOptions): Promise<GlancesFleetFake> {
  const sims = new Map<number, SimulatedGlances>();
  let total = 0;
  let held: Array<() => void> | null = null;
  const get = (n: number) => {
    if (!Number.isInteger(n) || n < 0 || n >= opts.count) throw new Error(`fleet: no simulated server ${n} (count ${opts.count})`);
    let s = sims.get(n);
    if (!s) {
      const v = typeof opts.apiVersion === 'function' ? opts.apiVersion(n) : (opts.apiVersion ?? 'both');
      s = new SimulatedGlances(n, { apiVersion: v, latencyMs: opts.latencyMs, auth: opts.auth, stats: { processCount: opts.processCount ?? 100 } }, false);
      sims.set(n, s);
    }
    return s;
  };
  const pl = await plumbing((req, res, hanging) => {
    const m = /^\/s\/(\d+)(\/.*)?$/.exec(req.url ?? '/');
    const n = m ? Number(m[1]) : -1;
    if (!m || n >= opts.count) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Not Found (fleet fake: use /s/<n>/api/...)' }));
      return;
    }
    total++;
    if (held) held.push(() => get(n).handle(req, res, m[2] ?? '/', hanging));
    else get(n).handle(req, res, m[2] ?? '/', hanging);
  });
  return {
    port: pl.port,
    count: opts.count,
    baseUrl: (n) => `http://127.0.0.1:${pl.port}/s/${n}`,
    urls: () => Array.from({ length: opts.count }, (_, n) => `http://127.0.0.1:${pl.port}/s/${n}`),
    setStats(n, partial) {
      Object.assign(get(n).stats, partial);
    },
    setFailure(n, mode) {
      get(n).setFailure(mode === 'refuse' ? 'reset' : mode);
    },
    clearFailures(n) {
      if (n === undefined) for (const s of sims.values()) s.clearFailures();
      else get(n).clearFailures();
    },
    requestCount: (n) => (n === undefined ? total : (sims.get(n)?.requests ?? 0)),
    resetCounts() {
      total = 0;
      for (const s of sims.values()) s.requests = 0;
    },
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const answer of waiting) answer();
    },
    heldCount: () => held?.length ?? 0,
    stop: () => pl.close(),
  };
}
