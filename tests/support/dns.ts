/**
 * A real authoritative DNS server (Knot DNS, Debian package knot) on 127.0.0.1:<free port>,
 * UDP and TCP, with its config, zone files, storage and control socket in a temp dir.
 *
 *   const dns = await startDns({ zones: [{ name: 'example.test', ns: ['ns1.example.test', 'ns2.example.test'],
 *                                          records: [{ name: 'app', type: 'A', value: '127.0.0.1' }] }] });
 *   dns.server   // '127.0.0.1:PORT' -> DNS_SERVERS for Gatehouse, `-dnsserver` for pebble
 *   const r = new Resolver(); r.setServers([dns.server]); await r.resolveNs('example.test');
 *   await dns.setZones([...]);   // rewrites zone files (serial + 1), `knotc reload`, waits until served
 *
 * Record names may be '@', relative ('www') or absolute ('www.example.test'). In-zone NS names
 * without an A record get `A 127.0.0.1` as glue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { freeTcpUdpPort } from './ports';
import { waitFor } from './wait';
import { HarnessError, looksLikePortClash, makeTempDir, resolveBinary, run, spawnManaged, type ManagedProcess } from './process';

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'MX' | 'NS' | 'CAA' | 'SRV';

export interface DnsRecord {
  name: string;
  type: DnsRecordType;
  value: string;
  ttl?: number;
}

export interface DnsZone {
  /** Zone apex, e.g. 'example.test'. */
  name: string;
  /** Nameservers at the apex (NS records), e.g. ['ns1.example.test', 'ns.other.test']. */
  ns: string[];
  records?: DnsRecord[];
  /** Default TTL (60). */
  ttl?: number;
}

export interface DnsServer {
  host: '127.0.0.1';
  port: number;
  /** '127.0.0.1:PORT' */
  server: string;
  dir: string;
  logFile: string;
  pid: number;
  zones: DnsZone[];
  /** Replaces the served zones (adds, changes and removes) and waits until knot serves them. */
  setZones(zones: DnsZone[]): Promise<void>;
  /** A node:dns Resolver pointed at this server. */
  resolver(): Resolver;
  stop(): Promise<void>;
}

const ZONE_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function fqdn(name: string, zone: string): string {
  const n = name.trim();
  if (n === '@' || n === '') return `${zone}.`;
  if (n.endsWith('.')) return n;
  if (n === zone || n.endsWith(`.${zone}`)) return `${n}.`;
  return `${n}.${zone}.`;
}

function target(value: string): string {
  const v = value.trim();
  return v.endsWith('.') || !v.includes('.') ? v : `${v}.`;
}

function rdata(r: DnsRecord): string {
  switch (r.type) {
    case 'CNAME':
    case 'NS':
      return target(r.value);
    case 'MX': {
      const [prio, host] = r.value.trim().split(/\s+/);
      return host ? `${prio} ${target(host)}` : `10 ${target(prio)}`;
    }
    case 'TXT':
      return r.value.startsWith('"') ? r.value : `"${r.value.replace(/(["\\])/g, '\\$1')}"`;
    default:
      return r.value.trim();
  }
}

export function zoneFile(z: DnsZone, serial: number): string {
  const zone = z.name.replace(/\.$/, '').toLowerCase();
  const ttl = z.ttl ?? 60;
  const records = z.records ?? [];
  const lines = [
    `$ORIGIN ${zone}.`,
    `$TTL ${ttl}`,
    `@ ${ttl} IN SOA ${target(z.ns[0])} hostmaster.${zone}. ${serial} 3600 600 86400 ${ttl}`,
    ...z.ns.map((ns) => `@ ${ttl} IN NS ${target(ns)}`),
  ];
  for (const ns of z.ns) {
    const name = ns.replace(/\.$/, '').toLowerCase();
    const inZone = name === zone || name.endsWith(`.${zone}`);
    const hasAddress = records.some((r) => (r.type === 'A' || r.type === 'AAAA') && fqdn(r.name, zone) === `${name}.`);
    if (inZone && !hasAddress) lines.push(`${name}. ${ttl} IN A 127.0.0.1`);
  }
  for (const r of records) lines.push(`${fqdn(r.name, zone)} ${r.ttl ?? ttl} IN ${r.type} ${rdata(r)}`);
  return `${lines.join('\n')}\n`;
}

export async function startDns(opts: { zones?: DnsZone[] } = {}): Promise<DnsServer> {
  const knotd = resolveBinary('knotd');
  const knotc = resolveBinary('knotc');
  const tmp = makeTempDir('knot');
  const dir = tmp.path;
  for (const d of ['zones', 'db', 'run']) fs.mkdirSync(path.join(dir, d));
  const confFile = path.join(dir, 'knot.conf');
  const socket = path.join(dir, 'run', 'knot.sock');
  const logFile = path.join(dir, 'knotd.log');
  let serial = Math.floor(Date.now() / 1000);
  let zones: DnsZone[] = [];
  let port = 0;

  const validate = (list: DnsZone[]) => {
    const seen = new Set<string>();
    for (const z of list) {
      const name = z.name.replace(/\.$/, '').toLowerCase();
      if (!ZONE_NAME.test(name)) throw new HarnessError(`dns: bad zone name ${z.name}`);
      if (seen.has(name)) throw new HarnessError(`dns: zone ${name} given twice`);
      if (!z.ns.length) throw new HarnessError(`dns: zone ${name} needs at least one NS`);
      seen.add(name);
    }
  };

  const writeAll = (list: DnsZone[]) => {
    serial++;
    const zoneDir = path.join(dir, 'zones');
    for (const f of fs.readdirSync(zoneDir)) fs.rmSync(path.join(zoneDir, f));
    for (const z of list) fs.writeFileSync(path.join(zoneDir, `${z.name.replace(/\.$/, '').toLowerCase()}.zone`), zoneFile(z, serial));
    const conf = `# written by tests/support/dns.ts
server:
    rundir: "${path.join(dir, 'run')}"
    listen: 127.0.0.1@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

database:
    storage: "${path.join(dir, 'db')}"

control:
    listen: "${socket}"

log:
  - target: stderr
    any: info

template:
  - id: default
    storage: "${zoneDir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none

${list.length ? `zone:\n${list.map((z) => `  - domain: ${z.name.replace(/\.$/, '').toLowerCase()}`).join('\n')}\n` : ''}`;
    fs.writeFileSync(confFile, conf);
  };

  const resolver = () => {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    return r;
  };

  const waitServed = async (p: ManagedProcess) => {
    await waitFor(
      async () => {
        await run(knotc, ['-s', socket, '-t', '2', 'status']);
        for (const z of zones) {
          const soa = await resolver().resolveSoa(z.name.replace(/\.$/, ''));
          if (soa.serial !== serial) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, description: `knotd on 127.0.0.1:${port} serving ${zones.length} zone(s) at serial ${serial}`, abortIf: () => p.assertAlive() },
    );
  };

  validate(opts.zones ?? []);
  zones = [...(opts.zones ?? [])];
  let proc: ManagedProcess | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freeTcpUdpPort();
      writeAll(zones);
      await run(knotc, ['-c', confFile, 'conf-check']);
      const p = spawnManaged(knotd, ['-c', confFile, '-s', socket], { name: 'knotd', logFile, cwd: dir });
      try {
        await waitServed(p);
        proc = p;
        break;
      } catch (err) {
        await p.stop();
        if (attempt < 3 && looksLikePortClash(p.logTail())) continue;
        throw new HarnessError(`${(err as Error).message}\nknotd log:\n${p.logTail()}`);
      }
    }
  } catch (err) {
    tmp.remove();
    throw err;
  }

  const instance: DnsServer = {
    host: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    dir,
    logFile,
    pid: proc.pid,
    get zones() {
      return zones;
    },
    async setZones(next) {
      validate(next);
      zones = [...next];
      writeAll(zones);
      await run(knotc, ['-c', confFile, 'conf-check']);
      await run(knotc, ['-s', socket, '-t', '10', 'reload']);
      await waitServed(proc!);
    },
    resolver,
    async stop() {
      await proc!.stop();
      tmp.remove();
    },
  };
  return instance;
}
