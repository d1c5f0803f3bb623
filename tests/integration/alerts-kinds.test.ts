import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects } from '../support/test-db';
import { systemActor } from '@/lib/access/actor';
import { getDb } from '@/lib/db';
import { createAlertRule } from '@/lib/alerts/rules';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { freePort } from '../support/ports';
import {
  addCertificate, addDeployTask, addDomain, addServer, addUpstream, alertingSuite, alertRows, poll, setDomain, setSample, setServerStatus, setTargetsHealth,
} from './alerts-fixtures';

/**
 * Every rule kind reads the state its feature writes, opens one incident per subject, and says
 * so without an address, a host name or a raw error; per-server overrides replace the global
 * rule for their server only.
 */
const TOKEN = '123456:ABC-kinds-test-token-abcdefghijklmn';

describe.each(dialects)('alert kinds on %s', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '4242' });
  const { clock } = suite;

  const polls = async (n: number, each?: () => Promise<void>) => {
    for (let i = 0; i < n; i++) {
      await each?.();
      await poll(clock);
    }
  };
  const texts = () => suite.tg.messages.map((m) => m.text!);

  it('memory, load and disk per mount, each its own incident', async () => {
    const web = await addServer('web01');
    await polls(21, () => setSample(web, clock.now, { memory: 93, load1: 6.5, disks: [{ mount: '/', percent: 40 }, { mount: '/var/lib/docker', percent: 91 }] }));
    const firing = (await alertRows()).filter((a) => a.state === 'firing').map((a) => a.key.split(':')[0]).sort();
    expect(firing).toEqual(['disk', 'load', 'memory']);
    expect(texts().find((t) => t.includes('Disk almost full'))).toContain('Mount: <code>/var/lib/docker</code>');
    expect(texts().find((t) => t.includes('Load high'))).toContain('Load 6.5 (threshold 4)');
    expect(texts().find((t) => t.includes('Memory usage high'))).toContain('Memory 93% (threshold 90%)');
  });

  it('falls back to the fullest-mount figure when a sample has no per-mount data', async () => {
    const web = await addServer('web01');
    await polls(21, () => setSample(web, clock.now, { disk: 97, disks: [] }));
    expect((await alertRows()).map((a) => a.key)).toEqual([`disk:server:${web}`]);
  });

  it('nameserver mismatch and config drift on a domain, masked, with the found nameservers sanitized', async () => {
    const web = await addServer('web01');
    const pool = await addUpstream('app', [{ host: '10.0.0.9', health: 'unknown' }]);
    const shop = await addDomain('shop.example.com', web, pool);
    await setDomain(shop, { nsStatus: 'mismatch', nsFound: ['ns1.attacker-dns.net', '192.0.2.53'], status: 'drifted' });
    await polls(1);
    const ns = texts().find((t) => t.includes('Nameservers do not match'))!;
    expect(ns).toContain('Domain: <b>s***.ex***le.com</b>');
    expect(ns).toContain('Server: <b>web01</b>');
    expect(ns).not.toMatch(/attacker-dns|192\.0\.2\.53|shop\.example/);
    expect(texts().some((t) => t.includes('Config changed outside Gatehouse'))).toBe(true);
    await setDomain(shop, { nsStatus: 'ok', status: 'deployed' });
    await polls(6);
    expect(texts().filter((t) => t.startsWith('✅'))).toHaveLength(2);
  });

  it('certificate expiry inside the window, resolved by a renewal', async () => {
    const web = await addServer('web01');
    const pool = await addUpstream('app', [{ host: '10.0.0.9', health: 'unknown' }]);
    const cert = await addCertificate(['shop.example.com'], new Date(clock.now.getTime() + 10.5 * 86_400_000));
    await addDomain('shop.example.com', web, pool, { certificateId: cert });
    await addCertificate(['unused.example.com'], new Date(clock.now.getTime() + 86_400_000)); // no domain serves it
    await polls(1);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('Certificate expiring soon');
    expect(texts()[0]).toContain('Expires in 10 days (alert window 14 days)');
    const { db, t } = getDb();
    await db.update(t.certificates).set({ notAfter: new Date(clock.now.getTime() + 90 * 86_400_000) }).where(eq(t.certificates.id, cert));
    await polls(6);
    expect(texts()[1]).toContain('Certificate renewed');
  });

  it('upstream target down after its duration, without naming the target', async () => {
    const web = await addServer('web01');
    const pool = await addUpstream('checkout-pool', [{ host: '10.1.2.3', health: 'up' }, { host: 'app-2.internal', health: 'up' }]);
    await addDomain('shop.example.com', web, pool);
    await setTargetsHealth(pool, 'down');
    await polls(4); // 45 s of the default 60 s
    expect(texts()).toHaveLength(0);
    await polls(2);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('Upstream: <b>checkout-pool</b>');
    expect(texts()[0]).toContain('2 of 2 targets down');
    expect(texts()[0]).not.toMatch(/10\.1\.2\.3|app-2/);
  });

  it('a pool without a health check: a manual check finding a target down opens nothing; a check switched off closes quietly', async () => {
    const s = await seedUsers();
    const web = await addServer('web01');
    const closed = await freePort(); // nothing listens: a TCP probe finds the target down
    const unwatched = await addUpstream('adhoc-pool', [{ host: '127.0.0.1', port: closed, health: 'unknown' }], { healthCheck: null });
    await addDomain('shop.example.com', web, unwatched);
    const check = await api('POST', `/api/v1/upstreams/${unwatched}/check`, { token: s.adminToken });
    expect(check.status).toBe(200);
    expect(check.body.targets.map((t: { status: string }) => t.status)).toEqual(['down']);
    const { db, t } = getDb();
    const [stored] = await db.select({ health: t.upstreamTargets.healthStatus }).from(t.upstreamTargets).where(eq(t.upstreamTargets.upstreamId, unwatched));
    expect(stored!.health).toBe('down'); // still shown on the upstreams page
    await polls(6);
    expect(await alertRows()).toHaveLength(0);
    expect(texts()).toHaveLength(0);

    // A watched pool's open incident closes without a message once nobody watches the pool.
    const watched = await addUpstream('checkout-pool', [{ host: '10.1.2.3', health: 'down' }], { healthCheck: { type: 'http', path: '/health' } });
    await polls(6);
    expect(texts()).toHaveLength(1);
    expect((await api('PATCH', `/api/v1/upstreams/${watched}`, { token: s.adminToken, body: { healthCheck: { type: 'none' } } })).status).toBe(200);
    await polls(2);
    expect((await alertRows()).map((a) => [a.subjectId, a.state])).toEqual([[watched, 'resolved']]);
    expect(texts()).toHaveLength(1);
  });

  it('deploy failed until a later deploy succeeds; the task error is never quoted raw', async () => {
    const web = await addServer('web01');
    await addDeployTask(web, 'succeeded', new Date(clock.now.getTime() - 3600_000));
    await addDeployTask(web, 'failed', new Date(clock.now.getTime() - 60_000), 'nginx: [emerg] host not found in upstream "10.9.8.7:8080" in /etc/nginx/gatehouse/domains/shop.example.com.conf:12');
    await polls(1);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('Deploy failed');
    expect(texts()[0]).not.toMatch(/10\.9\.8\.7|shop\.example\.com/);
    await addDeployTask(web, 'succeeded', clock.now);
    await polls(6);
    expect(texts()[1]).toContain('Deploy succeeded again');
  });

  it('server down, unknown status ignored, monitoring switched off ignored', async () => {
    const a = await addServer('web01');
    const b = await addServer('web02', { status: 'unknown' });
    const c = await addServer('web03');
    const { db, t } = getDb();
    await db.update(t.servers).set({ monitoringEnabled: false, status: 'down' }).where(eq(t.servers.id, c));
    await setServerStatus(a, 'down');
    await polls(1);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('web01');
    expect(b).toBeTruthy();
  });

  it('a per-server override replaces the global rule for that server only; a disabled override mutes it', async () => {
    const strict = await addServer('db01');
    const normal = await addServer('web01');
    const muted = await addServer('batch01');
    await createAlertRule(systemActor, { kind: 'cpu', serverId: strict, threshold: 50, durationSeconds: 60, severity: 'critical' });
    await createAlertRule(systemActor, { kind: 'cpu', serverId: muted, threshold: 85, durationSeconds: 0, enabled: false });
    await polls(6, async () => {
      for (const id of [strict, normal, muted]) await setSample(id, clock.now, { cpu: 70 });
    });
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('🔴 <b>Critical</b> · CPU usage high');
    expect(texts()[0]).toContain('db01');
    expect((await alertRows()).map((a) => a.serverId)).toEqual([strict]);
  });
});
