import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { getDb } from '@/lib/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { findUnsafe } from '@/lib/alerts/sanitize';
import { htmlToText } from '@/lib/alerts/html';
import {
  addCertificate, addDeployTask, addDomain, addServer, addUpstream, notificationRows, resetAlerting, setDomain, setSample, setServerStatus,
  setTargetsHealth, TestClock,
} from './alerts-fixtures';

/**
 * Outbox-level privacy property: whatever names and texts the other features stored (a server
 * named after its IP, a URL as an upstream name, an nginx error full of addresses, nameservers
 * that are IPs), every row that reaches `notifications`, for every kind and every state (fired,
 * reminder, resolved), is safe: the guard finds nothing, and none of the generated addresses,
 * URLs, e-mails or unmasked domains appears. A row cannot even be written otherwise
 * (`enqueueNotification` runs `assertSafe`, which throws in tests).
 */
const RUNS = Number(process.env.ALERTS_FUZZ_RUNS ?? 40);

const label = fc.stringMatching(/^[a-z][a-z0-9-]{2,12}[0-9]$/);
const fqdn = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'net', 'io', 'co.uk', 'de', 'internal', 'lan')).map(([ls, sfx]) => [...ls, sfx].join('.'));
const ipv4 = fc.ipV4();
const url = fc.oneof(fc.webUrl({ withQueryParameters: true }), ipv4.map((ip) => `http://${ip}:61208/api/4`));
const email = fc.emailAddress();
const hostile = fc.oneof(ipv4, fc.ipV6(), fqdn, url, email, fc.constantFrom('localhost', 'db01.staging', 'root@web1', '<b>&amp;'));
const sentence = fc.array(fc.oneof(hostile, fc.constantFrom('failed', 'connect', 'ECONNREFUSED', 'upstream', '"', ':', 'in', '/etc/nginx/x.conf:3')), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));

const scenario = fc.record({ server: hostile, upstream: hostile, domain: fqdn, mount: hostile, deployError: sentence, ns: fc.array(hostile, { minLength: 1, maxLength: 3 }), drift: sentence });
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function leaksOf(s: Scenario): string[] {
  const all = [s.server, s.upstream, s.domain, s.mount, s.deployError, s.ns.join(' '), s.drift].join(' ');
  const found = new Set<string>();
  for (const m of all.matchAll(/\d{1,3}(?:\.\d{1,3}){3}/g)) found.add(m[0]);
  for (const m of all.matchAll(/[a-z][a-z0-9+.-]*:\/\/\S+/gi)) found.add(m[0]);
  for (const m of all.matchAll(/\S+@\S+/g)) found.add(m[0]);
  found.add(s.domain);
  return [...found].filter((x) => x.length >= 4);
}

describe.each(dialects)('every outbox row is safe (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await openTestDb(dialect, { TELEGRAM_BOT_TOKEN: '123456:ABC-property-token-abcdefghijklmnop', TELEGRAM_CHAT_ID: '4242', TELEGRAM_API_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => tdb?.close());

  it('for every kind, in every state, with hostile names and details', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await resetAlerting();
        const { db, t } = getDb();
        await db.update(t.alertRules).set({ durationSeconds: 0, reminderMinutes: 5 });
        const clock = new TestClock();
        const web = await addServer(s.server);
        await setSample(web, clock.now, { cpu: 99, memory: 99, load1: 50, disks: [{ mount: s.mount, percent: 99 }] });
        await setServerStatus(web, 'up');
        const pool = await addUpstream(s.upstream, [{ host: '10.0.0.1', health: 'down' }]);
        const cert = await addCertificate([s.domain], new Date(clock.now.getTime() + 86_400_000));
        const domain = await addDomain(s.domain, web, pool, { certificateId: cert });
        await setDomain(domain, { nsStatus: 'mismatch', nsFound: s.ns, status: 'drifted' });
        await db.update(t.domains).set({ lastError: s.drift }).where(eq(t.domains.id, domain));
        await addDeployTask(web, 'failed', clock.now, s.deployError);
        await evaluateAlerts({ now: clock.now }); // fired: cpu, memory, load, disk, ns, drift, cert, upstream, deploy
        clock.advance(6 * 60);
        await evaluateAlerts({ now: clock.now }); // reminders
        await setServerStatus(web, 'down');
        await evaluateAlerts({ now: clock.now }); // server down
        await setServerStatus(web, 'up');
        await setTargetsHealth(pool, 'up');
        await setDomain(domain, { nsStatus: 'ok', status: 'deployed' });
        await db.update(t.certificates).set({ notAfter: new Date(clock.now.getTime() + 90 * 86_400_000) }).where(eq(t.certificates.id, cert));
        await addDeployTask(web, 'succeeded', clock.now);
        for (let i = 0; i < 4; i++) {
          await setSample(web, clock.now, { cpu: 1, memory: 1, load1: 0, disks: [{ mount: s.mount, percent: 1 }] });
          await evaluateAlerts({ now: clock.now });
          clock.advance(5 * 60);
        }
        const rows = await notificationRows();
        const kinds = new Set(rows.map((r) => r.kind));
        expect([...kinds].sort()).toEqual(['fired', 'reminder', 'resolved']);
        expect(rows.filter((r) => r.kind === 'fired')).toHaveLength(10);
        expect(rows.filter((r) => r.kind === 'resolved')).toHaveLength(10);
        const leaks = leaksOf(s);
        for (const r of rows) {
          expect(findUnsafe(htmlToText(r.text)), r.text).toEqual([]);
          for (const leak of leaks) expect(htmlToText(r.text).toLowerCase(), `${leak} in ${r.text}`).not.toContain(leak.toLowerCase());
        }
      }),
      { numRuns: RUNS },
    );
  });
});

