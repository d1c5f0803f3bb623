import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { startDns, type DnsServer } from '../support/dns';
import { requireBinary } from '../support/process';
import { getDb, newId } from '@/lib/db';
import { busReady, subscribe, type GatehouseEvent } from '@/lib/events/bus';
import { waitFor } from '../support/wait';
import { checkAllDomains } from '@/lib/monitoring/dns-service';
import { pruneMonitoringData } from '@/lib/monitoring/retention';

async function makeServer(sharedWith?: string) {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.servers).values({ id, name: `srv-${id.slice(-8)}`, host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now });
  if (sharedWith) await db.insert(t.serverShares).values({ serverId: id, userId: sharedWith });
  return id;
}

async function makeDomain(serverId: string, fqdn: string, expected: { nameservers?: string[]; pattern?: string }) {
  const { db, t } = getDb();
  const now = new Date();
  const upstreamId = newId();
  await db.insert(t.upstreams).values({ id: upstreamId, name: `up-${upstreamId.slice(-8)}`, createdAt: now, updatedAt: now });
  const id = newId();
  await db.insert(t.domains).values({
    id, fqdn, aliases: [], serverId, upstreamId, expectedNameservers: expected.nameservers ?? [], nameserverPattern: expected.pattern ?? null, createdAt: now, updatedAt: now,
  });
  return id;
}

async function domainRow(id: string) {
  const { db, t } = getDb();
  return (await db.select().from(t.domains).where(eq(t.domains.id, id)))[0];
}

// NS checks through the API and the periodic job, against a real Knot DNS on loopback.
describe.skipIf(!requireBinary('knotd', 'knotc')).each(dialects)('monitoring DNS checks on %s', (dialect) => {
  let tdb: TestDb;
  let dns: DnsServer;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let good: string;
  let moved: string;
  let hidden: string;
  const events: GatehouseEvent[] = [];
  let unsubscribe = () => {};

  beforeAll(async () => {
    dns = await startDns({
      zones: [
        { name: 'example.test', ns: ['ns1.example.test', 'ns2.example.test'] },
        { name: 'moved.test', ns: ['ns1.otherhost.test'] },
        { name: 'cf.test', ns: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'] },
      ],
    });
    tdb = await openTestDb(dialect, { DNS_SERVERS: dns.server });
    s = await seedUsers();
    const server = await makeServer(s.user.id);
    good = await makeDomain(server, 'www.example.test', { nameservers: ['ns1.example.test', 'ns2.example.test'] });
    moved = await makeDomain(server, 'moved.test', { nameservers: ['ns1.newhost.test'] });
    hidden = await makeDomain(await makeServer(), 'cf.test', { pattern: '*.ns.cloudflare.com' });
    unsubscribe = subscribe((e) => events.push(e));
    await busReady(); // PostgreSQL: LISTEN is up before the first event
  });
  afterAll(async () => {
    unsubscribe();
    await tdb?.close();
    await dns?.stop();
  });

  it('POST /domains/{id}/check-dns answers the result and stores it', async () => {
    const r = await api('POST', `/api/v1/domains/${good}/check-dns`, { token: s.adminToken });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ domainId: good, status: 'ok', zone: 'example.test', found: ['ns1.example.test', 'ns2.example.test'] });
    expect(r.body.perResolver).toEqual([{ resolver: dns.server, status: 'ok', found: ['ns1.example.test', 'ns2.example.test'], message: 'The nameservers are as expected.' }]);
    const row = await domainRow(good);
    expect(row).toMatchObject({ nsStatus: 'ok', nsFound: ['ns1.example.test', 'ns2.example.test'] });
    expect(row.nsCheckedAt).toBeInstanceOf(Date);
    await waitFor(() => events.find((e) => e.type === 'domain.updated' && e.data.domainId === good));
    expect(events.find((e) => e.type === 'domain.updated' && e.data.domainId === good)).toMatchObject({ data: { domainId: good, status: 'pending', nsStatus: 'ok' } });
  });

  it('a mismatching zone is a mismatch with the names found', async () => {
    const r = await api('POST', `/api/v1/domains/${moved}/check-dns`, { token: s.adminToken });
    expect(r.body).toMatchObject({ status: 'mismatch', found: ['ns1.otherhost.test'], message: 'The nameservers differ from the expected ones.' });
    expect((await domainRow(moved)).nsStatus).toBe('mismatch');
  });

  it('check-dns: admin only; unknown domain 404; signed out 401', async () => {
    expect((await api('POST', `/api/v1/domains/${good}/check-dns`, { token: s.userToken })).status).toBe(403);
    expect((await api('POST', `/api/v1/domains/${good}/check-dns`)).status).toBe(401);
    expect((await api('POST', `/api/v1/domains/${newId()}/check-dns`, { token: s.adminToken })).status).toBe(404);
  });

  it('the periodic job checks due domains and keeps history; events only on change', async () => {
    const before = events.filter((e) => e.type === 'domain.updated').length;
    const { checked } = await checkAllDomains(new Date(), true);
    expect(checked).toBeGreaterThanOrEqual(3);
    expect((await domainRow(hidden)).nsStatus).toBe('ok');
    // good and moved kept their status: only hidden (unknown → ok) changed.
    await waitFor(() => events.filter((e) => e.type === 'domain.updated').length > before);
    expect(events.filter((e) => e.type === 'domain.updated').length - before).toBe(1);
    // Not due again within the interval.
    expect((await checkAllDomains(new Date())).checked).toBe(0);

    const list = await api('GET', `/api/v1/domains/${good}/dns-checks`, { token: s.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]).toMatchObject({ status: 'ok', found: ['ns1.example.test', 'ns2.example.test'] });
    expect(new Date(list.body.items[0].at) >= new Date(list.body.items[1].at)).toBe(true);
    const page = await api('GET', `/api/v1/domains/${good}/dns-checks?limit=1`, { token: s.adminToken });
    const rest = await api('GET', `/api/v1/domains/${good}/dns-checks?limit=1&cursor=${page.body.nextCursor}`, { token: s.adminToken });
    expect(rest.body.items[0].id).toBe(list.body.items[1].id);
  });

  it('dns-checks: users see the domains of shared servers only', async () => {
    expect((await api('GET', `/api/v1/domains/${good}/dns-checks`, { token: s.userToken })).status).toBe(200);
    expect((await api('GET', `/api/v1/domains/${hidden}/dns-checks`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/domains/${good}/dns-checks`)).status).toBe(401);
  });

  it('a zone change shows on the next check; old history is pruned by retention', async () => {
    await dns.setZones([
      { name: 'example.test', ns: ['ns1.example.test', 'ns2.example.test'] },
      { name: 'moved.test', ns: ['ns1.newhost.test'] },
      { name: 'cf.test', ns: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'] },
    ]);
    await checkAllDomains(new Date(), true);
    expect((await domainRow(moved)).nsStatus).toBe('ok');
    await waitFor(() => events.filter((e) => e.type === 'domain.updated' && e.data.domainId === moved).at(-1)?.data.nsStatus === 'ok');
    await pruneMonitoringData(new Date(Date.now() + 400 * 86_400_000));
    const list = await api('GET', `/api/v1/domains/${good}/dns-checks`, { token: s.adminToken });
    expect(list.body.items).toEqual([]);
  });
});
