import type http from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { basicAuth, createGlancesAgents, getText, GlancesError, type HttpLimits } from './http';
import { parseUptime, readFs, readLoad, readNetwork, readQuicklook, readSystem, type DiskUsage } from './shapes';

export { GlancesError, type GlancesErrorKind } from './http';
export type { DiskUsage } from './shapes';

export type GlancesApiVersion = 3 | 4;

export interface GlancesTarget {
  /** `http(s)://host:port`, optionally with the path prefix Glances is served under. */
  baseUrl: string;
  username?: string | null;
  password?: string | null;
}

/** One poll of one server, the same for API v3 and v4. Percentages are 0–100, net in bytes/s. */
export interface GlancesSample {
  at: Date;
  apiVersion: GlancesApiVersion;
  cpu: number;
  memory: number;
  swap: number;
  load1: number;
  load5: number;
  load15: number;
  /** Fullest real mount, null when `fs` is missing or lists no real mount. */
  disk: number | null;
  disks: DiskUsage[];
  /** Summed over non-loopback, non-virtual interfaces; null when `network` is missing. */
  netRx: number | null;
  netTx: number | null;
  uptimeSeconds?: number;
  hostname?: string;
  os?: string;
  /** Optional plugins this Glances does not serve (disabled with --disable-plugin). */
  missing: string[];
}

export interface GlancesClientOptions extends Partial<HttpLimits> {
  /** Sockets per host:port (default unlimited; pollFleet's concurrency is the real bound). */
  maxSocketsPerHost?: number;
}

export interface GlancesPollOptions {
  /** Also fetch `system` and `uptime` (they rarely change: ask every N polls). */
  includeInfo?: boolean;
  signal?: AbortSignal;
}

const DEFAULTS: HttpLimits = { timeoutMs: 5000, connectTimeoutMs: 3000, maxBytes: 1024 * 1024 };

/** A plugin route answered 404: on the first request of a poll it means the API version moved. */
class RouteGone extends Error {}

/**
 * Glances REST client on node:http (global fetch costs 3–4× the CPU, PERFORMANCE.md). A poll is 4
 * sequential requests, `quicklook` (cpu, mem, swap), `load`, `fs` and `network`, plus `system` and
 * `uptime` when `includeInfo` is set. Glances has no endpoint that returns several chosen plugins:
 * `/all` is the only multi-plugin route and it carries the whole process list. The requests are
 * sequential, so one host never holds more than one socket (and Glances 3's single-threaded
 * server would queue parallel ones anyway). The API version is detected once per base URL.
 */
export class GlancesClient {
  private readonly limits: HttpLimits;
  private readonly agents: { http: http.Agent; https: http.Agent };
  private readonly versions = new Map<string, GlancesApiVersion>();
  /** Parsed request targets by credentials, base URL and path: a poll reuses them instead of
   * parsing URLs and encoding the Authorization header for every request. */
  private readonly resolved = new Map<string, Resolved>();

  constructor(options: GlancesClientOptions = {}) {
    const { timeoutMs, connectTimeoutMs, maxBytes } = options;
    this.limits = { ...DEFAULTS, ...stripUndefined({ timeoutMs, connectTimeoutMs, maxBytes }) };
    this.agents = createGlancesAgents(options.maxSocketsPerHost);
  }

  /** The version detected earlier for this base URL, if any. */
  cachedVersion(target: GlancesTarget): GlancesApiVersion | undefined {
    return this.versions.get(cacheKey(target));
  }

  /** Remember a version detected earlier (e.g. stored with the server), sparing a detection after a
   * restart; a wrong guess costs one extra detection, as after an upgrade. */
  assumeVersion(target: GlancesTarget, version: GlancesApiVersion): void {
    this.versions.set(cacheKey(target), version);
  }

  /** Forget the detected version (e.g. after the server's Glances was upgraded). */
  forget(target: GlancesTarget): void {
    this.versions.delete(cacheKey(target));
  }

  /** Asks `/api/4/status`, then `/api/3/status`, and caches the answer. */
  async detectVersion(target: GlancesTarget, options: { signal?: AbortSignal } = {}): Promise<GlancesApiVersion> {
    const version = await this.probeVersion(target, options.signal);
    this.versions.set(cacheKey(target), version);
    return version;
  }

  async poll(target: GlancesTarget, options: GlancesPollOptions = {}): Promise<GlancesSample> {
    const at = new Date();
    const known = this.cachedVersion(target);
    const version = known ?? (await this.detectVersion(target, options));
    try {
      return await this.collect(target, version, at, options);
    } catch (e) {
      if (!(e instanceof RouteGone)) throw e;
      // quicklook itself is gone: Glances was probably upgraded or downgraded. Detect once more.
      const again = await this.detectVersion(target, options);
      if (again === version) throw missingPlugin('quicklook', e.message);
      return this.collect(target, again, at, options).catch((e2) => {
        throw e2 instanceof RouteGone ? missingPlugin('quicklook', e2.message) : e2;
      });
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async collect(target: GlancesTarget, v: GlancesApiVersion, at: Date, options: GlancesPollOptions) {
    const { signal } = options;
    const missing: string[] = [];
    const quick = readQuicklook(await this.plugin(target, v, 'quicklook', signal, 'first'));
    const load = readLoad(await this.plugin(target, v, 'load', signal, 'required'));
    const fsRaw = await this.plugin(target, v, 'fs', signal, 'optional');
    const netRaw = await this.plugin(target, v, 'network', signal, 'optional');
    const fs = fsRaw === undefined ? (missing.push('fs'), { disk: null, disks: [] }) : readFs(fsRaw);
    const net = netRaw === undefined ? (missing.push('network'), { netRx: null, netTx: null }) : readNetwork(netRaw);
    const sample: GlancesSample = { at, apiVersion: v, ...quick, ...load, ...fs, ...net, missing };
    if (options.includeInfo) {
      const system = await this.plugin(target, v, 'system', signal, 'optional');
      const uptime = await this.plugin(target, v, 'uptime', signal, 'optional');
      if (system === undefined) missing.push('system');
      else Object.assign(sample, stripUndefined(readSystem(system)));
      if (uptime === undefined) missing.push('uptime');
      else if (parseUptime(uptime) !== undefined) sample.uptimeSeconds = parseUptime(uptime);
    }
    return sample;
  }

  /** `undefined` when an optional plugin is not served (400 unknown plugin, 404 plugin failure). */
  private async plugin(
    target: GlancesTarget,
    v: GlancesApiVersion,
    name: string,
    signal: AbortSignal | undefined,
    role: 'first' | 'required' | 'optional',
  ): Promise<unknown> {
    const answer = await this.get(target, `/api/${v}/${name}`, signal);
    if (answer.status === 200) return parseJson(answer.body, name);
    checkAuth(answer.status);
    if (answer.status === 404 && role === 'first') throw new RouteGone(`${name}: 404 ${snippet(answer.body)}`);
    if (answer.status === 400 || answer.status === 404) {
      if (role === 'optional') return undefined;
      throw missingPlugin(name, `${answer.status} ${snippet(answer.body)}`);
    }
    throw httpError(answer.status, answer.body);
  }

  private async probeVersion(target: GlancesTarget, signal?: AbortSignal): Promise<GlancesApiVersion> {
    const v4 = await this.get(target, '/api/4/status', signal);
    if (v4.status === 200) return 4;
    checkAuth(v4.status);
    if (v4.status !== 404) throw httpError(v4.status, v4.body);
    const v3 = await this.get(target, '/api/3/status', signal);
    if (v3.status === 200) return 3;
    checkAuth(v3.status);
    // 3.3.1's status route fails on content negotiation behind some proxies; pluginslist is cheap.
    if (v3.status >= 500 && (await this.get(target, '/api/3/pluginslist', signal)).status === 200) return 3;
    if (v3.status === 404) {
      throw new GlancesError('http', 'No Glances API answers at this address (tried API 4 and 3).', `v4 404, v3 404`, 404);
    }
    throw httpError(v3.status, v3.body);
  }

  private get(target: GlancesTarget, path: string, signal?: AbortSignal) {
    const key = `${target.username ?? ''}\n${target.password ?? ''}\n${target.baseUrl}\n${path}`;
    let r = this.resolved.get(key);
    if (!r) {
      const { url, authorization } = resolve(target, path);
      r = { url, authorization, options: urlToHttpOptions(url) };
      if (this.resolved.size >= 50_000) this.resolved.clear(); // bound: URLs and passwords change
      this.resolved.set(key, r);
    }
    const agent = r.url.protocol === 'https:' ? this.agents.https : this.agents.http;
    return getText({ ...this.limits, url: r.url, options: r.options, agent, authorization: r.authorization, signal });
  }
}

interface Resolved {
  url: URL;
  authorization?: string;
  options: http.RequestOptions;
}

function resolve(target: GlancesTarget, path: string): { url: URL; authorization?: string } {
  let base: URL;
  try {
    base = new URL(target.baseUrl);
  } catch {
    throw new GlancesError('http', 'The Glances address is not a valid URL.', 'invalid base URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new GlancesError('http', 'The Glances address must start with http:// or https://.', base.protocol);
  }
  const username = target.username || decodeURIComponent(base.username);
  const password = target.username ? target.password : decodeURIComponent(base.password);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.protocol}//${base.host}${prefix}${path}`);
  return { url, authorization: basicAuth(username, password) };
}

function cacheKey(target: GlancesTarget): string {
  return target.baseUrl.replace(/\/+$/, '');
}

function checkAuth(status: number): void {
  if (status === 401) throw new GlancesError('auth', 'Glances rejected the user name or password.', 'HTTP 401', 401);
  if (status === 403) throw new GlancesError('auth', 'Glances refused access.', 'HTTP 403', 403);
}

function httpError(status: number, body: string): GlancesError {
  return new GlancesError('http', `Glances answered with HTTP status ${status}.`, `HTTP ${status}: ${snippet(body)}`, status);
}

function missingPlugin(name: string, detail: string): GlancesError {
  return new GlancesError('missing_plugin', `Glances does not serve the '${name}' plugin; enable it on the server.`, detail);
}

function parseJson(body: string, plugin: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new GlancesError('parse', `Glances sent an answer that is not JSON for '${plugin}'.`, snippet(body));
  }
}

/** Error bodies (Glances' HTML or a proxy's page) are cut short before they reach logs. */
function snippet(body: string): string {
  return body.replace(/\s+/g, ' ').slice(0, 200);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
