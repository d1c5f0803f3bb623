import { GlancesError } from './http';

/**
 * Readers that turn one Glances plugin answer (API v3 or v4) into our fields. Shapes were checked
 * against a real Glances 3.3.1 and against nicolargo/glances docs/api/restful.rst (4.0 to 4.4).
 * Hand-written checks instead of zod: this runs for every server on every poll (PERFORMANCE.md).
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseFail(plugin: string, detail: string): GlancesError {
  return new GlancesError('parse', `Glances sent an unexpected '${plugin}' answer.`, `${plugin}: ${detail}`);
}

function num(o: Obj, key: string, plugin: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw parseFail(plugin, `${key} is ${JSON.stringify(v)}`);
  return v;
}

function optNum(o: Obj, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function obj(raw: unknown, plugin: string): Obj {
  if (!isObj(raw)) throw parseFail(plugin, `expected an object, got ${typeof raw}`);
  return raw;
}

function list(raw: unknown, plugin: string): Obj[] {
  if (!Array.isArray(raw)) throw parseFail(plugin, `expected a list, got ${typeof raw}`);
  return raw.filter(isObj);
}

/** `quicklook` carries cpu, mem and swap percent in one small answer on v3 and v4 (v4 also has a
 * `load` percent of cores, which is not the load average we chart, hence the `load` plugin). */
export function readQuicklook(raw: unknown): { cpu: number; memory: number; swap: number } {
  const o = obj(raw, 'quicklook');
  return { cpu: num(o, 'cpu', 'quicklook'), memory: num(o, 'mem', 'quicklook'), swap: optNum(o, 'swap') ?? 0 };
}

export function readLoad(raw: unknown): { load1: number; load5: number; load15: number } {
  const o = obj(raw, 'load');
  return { load1: num(o, 'min1', 'load'), load5: num(o, 'min5', 'load'), load15: num(o, 'min15', 'load') };
}

/** Always 0 % or 100 % full, or mirrors of another mount: they would only produce false alerts. */
const PSEUDO_FS = new Set([
  'tmpfs', 'devtmpfs', 'ramfs', 'overlay', 'aufs', 'squashfs', 'iso9660', 'udf', 'proc', 'sysfs',
  'devpts', 'cgroup', 'cgroup2', 'nsfs', 'autofs', 'tracefs', 'debugfs', 'securityfs', 'pstore',
  'bpf', 'efivarfs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'binfmt_misc', 'rpc_pipefs',
  'fuse.lxcfs', 'fuse.snapfuse', 'fuse.gvfsd-fuse', 'fuse.portal', 'nfsd',
]);

export interface DiskUsage {
  mount: string;
  percent: number;
}

/** Real mounts only; `disk` is the fullest of them (null when Glances lists none). */
export function readFs(raw: unknown): { disk: number | null; disks: DiskUsage[] } {
  const disks: DiskUsage[] = [];
  for (const fs of list(raw, 'fs')) {
    const mount = fs.mnt_point;
    const percent = optNum(fs, 'percent');
    const type = typeof fs.fs_type === 'string' ? fs.fs_type.toLowerCase() : '';
    if (typeof mount !== 'string' || percent === undefined || PSEUDO_FS.has(type)) continue;
    if (mount.startsWith('/snap/') || /^\/dev\/loop\d/.test(String(fs.device_name ?? ''))) continue;
    disks.push({ mount, percent });
  }
  disks.sort((a, b) => a.mount.localeCompare(b.mount));
  const disk = disks.length ? Math.max(...disks.map((d) => d.percent)) : null;
  return { disk, disks };
}

/** Loopback, and virtual links that carry a copy of traffic already counted on the real NIC
 * (container veths and Docker bridges, ifb shaping mirrors): summing them would double it. */
const SKIP_INTERFACE = /^(lo\d*|veth|docker\d|br-[0-9a-f]{12}$|ifb\d|Loopback)/i;

/**
 * Bytes per second, summed over real interfaces. The field names changed across versions:
 * - v3 and early 4.0: `rx`/`tx` are bytes since the plugin's previous refresh (`time_since_update`);
 * - later 4.x: `bytes_recv`/`bytes_sent` are that delta; recent 4.x also send `bytes_*_rate_per_sec`.
 */
export function readNetwork(raw: unknown): { netRx: number; netTx: number } {
  let netRx = 0;
  let netTx = 0;
  for (const nic of list(raw, 'network')) {
    const name = typeof nic.interface_name === 'string' ? nic.interface_name : '';
    if (!name || SKIP_INTERFACE.test(name)) continue;
    const rxRate = optNum(nic, 'bytes_recv_rate_per_sec');
    const txRate = optNum(nic, 'bytes_sent_rate_per_sec');
    const dt = optNum(nic, 'time_since_update') ?? 0;
    const rate = (delta: number | undefined) => (delta !== undefined && dt > 0 ? delta / dt : 0);
    netRx += rxRate ?? rate(optNum(nic, 'bytes_recv') ?? optNum(nic, 'rx'));
    netTx += txRate ?? rate(optNum(nic, 'bytes_sent') ?? optNum(nic, 'tx'));
  }
  return { netRx: Math.round(netRx), netTx: Math.round(netTx) };
}

export function readSystem(raw: unknown): { hostname?: string; os?: string } {
  const o = obj(raw, 'system');
  const str = (k: string) => (typeof o[k] === 'string' && o[k] ? (o[k] as string) : undefined);
  const parts = [str('os_name'), str('os_version')].filter(Boolean).join(' ');
  return { hostname: str('hostname'), os: str('hr_name') ?? str('linux_distro') ?? (parts || undefined) };
}

/**
 * Glances sends uptime as Python's `str(timedelta)`: "0:06:10", "1 day, 2:03:04",
 * "6 days, 22:22:01" (v3 and v4 alike). A bare number of seconds is accepted too.
 */
export function parseUptime(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return Math.floor(raw);
  if (isObj(raw) && typeof raw.seconds === 'number') return parseUptime(raw.seconds);
  if (typeof raw !== 'string') return undefined;
  const m = /^\s*(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.\d+)?\s*$/.exec(raw);
  if (!m) return undefined;
  const [, days, h, min, s] = m;
  return Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
}
