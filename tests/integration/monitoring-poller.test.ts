import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { startGlancesV4Fake, type GlancesFailure, type GlancesV4Fake } from '../support/glances-v4-fake';
import { requireGlances, startGlances } from '../support/glances';
import { getDb, newId } from '@/lib/db';
import { seal } from '@/lib/crypto/secret-box';
import { busReady, subscribe, type GatehouseEvent } from '@/lib/events/bus';
import { waitFor } from '../support/wait';
import { cliActor } from '@/lib/access/actor';
import { updateSettings } from '@/lib/settings/service';
import { loadMonitoredServers, monitoringIdle, monitoringTick, runMonitoringCycle } from '@/lib/monitoring/poll-service';

async function makeServer(opts: { glancesUrl?: string | null; username?: string; password?: string; monitoringEnabled?: boolean } = {}) {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.servers).values({
    id, name: `srv-${id.slice(-8)}`, host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now,
    glancesUrl: opts.glancesUrl ?? null, glancesUsername: opts.username ?? null, glancesPasswordEnc: opts.password ? seal(opts.password) : null,
    monitoringEnabled: opts.monitoringEnabled ?? true,
  });
  return id;
}

async function serverRow(id: string) {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.servers).where(eq(t.servers.id, id));
  return row;
}

/** One cycle over just these servers (other tests' servers stay out of it), no stagger. */
async function cycle(...ids: string[]) {
  const servers = (await loadMonitoredServers()).filter((s) => ids.includes(s.id));
  return runMonitoringCycle({ servers, spreadMs: 0 });
}

describe.each(dialects)('monitoring poller on %s', (dialect) => {
  let tdb: TestDb;
  const events: GatehouseEvent[] = [];
  let unsubscribe = () => {};
  const fakes: GlancesV4Fake[] = [];

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    await seedUsers();
    await updateSettings(cliActor, { monitoring: { intervalSeconds: 10, downAfterFailures: 2, upAfterSuccesses: 2 } });
    unsubscribe = subscribe((e) => events.push(e));
    await busReady(); // PostgreSQL: LISTEN is up before the first event
  });
  afterEach(async () => {
    while (fakes.length) await fakes.pop()!.stop();
  });
  afterAll(async () => {
    unsubscribe();
    await tdb?.close();
  });

  async function fake(opts: Parameters<typeof startGlancesV4Fake>[0] = {}) {
    const g = await startGlancesV4Fake(opts);
    fakes.push(g);
    return g;
  }
  const eventsFor = (type: string, serverId: string) => events.filter((e) => e.type === type && e.data.serverId === serverId);

  it('polls a Glances 4 server: sample row, server state, api version and events', async () => {
    const g = await fake();
    g.setStats({ cpu: 42.5, mem: 63.5, load: [1.5, 1, 0.5], fs: [{ mnt_point: '/', percent: 91 }] });
    const id = await makeServer({ glancesUrl: g.baseUrl });
    const stats = await cycle(id);
    expect(stats).toMatchObject({ ok: 1, failed: 0 });

    const row = await serverRow(id);
    expect(row).toMatchObject({ status: 'up', consecutiveFailures: 0, consecutiveSuccesses: 1, glancesApiVersion: 4, lastError: null });
    expect(row.lastSeenAt).toBeInstanceOf(Date);
    expect(row.lastSample).toMatchObject({ cpu: 42.5, memory: 63.5, disk: 91, load1: 1.5, load5: 1, load15: 0.5, apiVersion: 4 });

    const { db, t } = getDb();
    const samples = await db.select().from(t.metricSamples).where(eq(t.metricSamples.serverId, id));
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ cpu: 42.5, memory: 63.5, disk: 91, load1: 1.5, load5: 1, load15: 0.5 });
    expect(samples[0].netRx).toBe(g.stats.network[0].rxPerSec);

    await waitFor(() => eventsFor('metrics', id).length && eventsFor('server.status', id).length);
    expect(eventsFor('metrics', id).at(-1)).toMatchObject({ serverId: id, data: { serverId: id, cpu: 42.5, memory: 63.5, disk: 91, load1: 1.5 } });
    expect(eventsFor('server.status', id).map((e) => e.data.status)).toEqual(['up']);
    // Four requests a poll after detection; the stored version spares detection next time.
    expect(g.requests.map((r) => r.path)).toEqual(['/api/4/status', '/api/4/quicklook', '/api/4/load', '/api/4/fs', '/api/4/network']);
  });

  it('opens the sealed Glances password for basic auth; a wrong one is a safe auth error', async () => {
    const g = await fake({ auth: { username: 'monitor', password: 's3cret-pw' } });
    const good = await makeServer({ glancesUrl: g.baseUrl, username: 'monitor', password: 's3cret-pw' });
    const bad = await makeServer({ glancesUrl: g.baseUrl, username: 'monitor', password: 'wrong-pw' });
    await cycle(good, bad);
    expect(await serverRow(good)).toMatchObject({ status: 'up', lastError: null });
    const row = await serverRow(bad);
    expect(row.lastError).toBe('Glances rejected the user name or password.');
    expect(row.consecutiveFailures).toBe(1);
    expect(JSON.stringify(events)).not.toContain('s3cret-pw');
  });

  it('down after N failures, up again only after M successes, with one event each way', async () => {
    const g = await fake();
    const id = await makeServer({ glancesUrl: g.baseUrl });
    await cycle(id);
    await g.setFailure('http500');
    await cycle(id);
    expect(await serverRow(id)).toMatchObject({ status: 'up', consecutiveFailures: 1, lastError: 'Glances answered with HTTP status 500.' });
    await cycle(id);
    expect(await serverRow(id)).toMatchObject({ status: 'down', consecutiveFailures: 2 });
    await g.clearFailures();
    await cycle(id);
    expect(await serverRow(id)).toMatchObject({ status: 'down', consecutiveSuccesses: 1, lastError: null });
    await cycle(id);
    expect(await serverRow(id)).toMatchObject({ status: 'up', consecutiveSuccesses: 2 });
    await waitFor(() => eventsFor('server.status', id).length >= 3);
    expect(eventsFor('server.status', id).map((e) => e.data.status)).toEqual(['up', 'down', 'up']);
  });

  it.each<[GlancesFailure, string]>([
    ['refuse', 'Glances refused the connection; is it running with -w?'],
    ['reset', 'The connection to Glances was reset.'],
    ['http500', 'Glances answered with HTTP status 500.'],
    ['garbage', "Glances sent an answer that is not JSON for 'quicklook'."],
    ['missingPlugin:load', "Glances does not serve the 'load' plugin; enable it on the server."],
  ])('a failing Glances (%s) counts as a failure with a safe message', async (mode, message) => {
    const g = await fake();
    const id = await makeServer({ glancesUrl: g.baseUrl });
    await cycle(id);
    await g.setFailure(mode);
    const stats = await cycle(id);
    expect(stats).toMatchObject({ ok: 0, failed: 1 });
    const row = await serverRow(id);
    expect(row).toMatchObject({ status: 'up', consecutiveFailures: 1, lastError: message });
    expect(row.lastError).not.toContain(String(g.port));
  });

  it('a hanging Glances is cut off by the poll budget', async () => {
    const g = await fake();
    const id = await makeServer({ glancesUrl: g.baseUrl });
    await cycle(id);
    await g.setFailure('hang');
    const stats = await cycle(id);
    expect(stats).toMatchObject({ failed: 1 });
    expect((await serverRow(id)).lastError).toBe('Glances did not answer in time.');
  });

  it('a missing optional plugin keeps the server up with empty network values', async () => {
    const g = await fake();
    await g.setFailure('missingPlugin:network');
    const id = await makeServer({ glancesUrl: g.baseUrl });
    await cycle(id);
    const row = await serverRow(id);
    expect(row.status).toBe('up');
    expect(row.lastSample).toMatchObject({ netRx: null, netTx: null, missing: ['network'] });
  });

  it('polls only servers with monitoring on and a Glances URL', async () => {
    const g = await fake();
    const on = await makeServer({ glancesUrl: g.baseUrl });
    const off = await makeServer({ glancesUrl: g.baseUrl, monitoringEnabled: false });
    const none = await makeServer({});
    const ids = (await loadMonitoredServers()).map((s) => s.id);
    expect(ids).toContain(on);
    expect(ids).not.toContain(off);
    expect(ids).not.toContain(none);
  });

  it('a server deleted mid-cycle does not fail the batch of the others', async () => {
    const g = await fake();
    const keep = await makeServer({ glancesUrl: g.baseUrl });
    const gone = await makeServer({ glancesUrl: g.baseUrl });
    const servers = (await loadMonitoredServers()).filter((s) => s.id === keep || s.id === gone);
    const { db, t } = getDb();
    await db.delete(t.servers).where(eq(t.servers.id, gone));
    await runMonitoringCycle({ servers, spreadMs: 0 });
    expect((await serverRow(keep)).status).toBe('up');
  });

  it('the scheduler tick starts one cycle per interval and never two at once', async () => {
    const g = await fake({ latencyMs: 50 });
    await makeServer({ glancesUrl: g.baseUrl });
    const start = Date.now() + 3_600_000; // past any earlier test's cycle
    await monitoringTick(start);
    const first = g.requests.length;
    await monitoringTick(start + 20_000); // a cycle is running: skipped
    await monitoringIdle();
    expect(g.requests.length).toBeGreaterThan(first);
    const afterOne = g.requests.length;
    await monitoringTick(start + 5_000); // interval (10 s) not over since the start: nothing
    await monitoringIdle();
    expect(g.requests.length).toBe(afterOne);
  });

  describe.skipIf(!requireGlances())('against the real Glances 3.3.1', () => {
    it('polls, detects v3 and stores the sample', async () => {
      const real = await startGlances();
      try {
        const id = await makeServer({ glancesUrl: real.baseUrl });
        const stats = await cycle(id);
        expect(stats).toMatchObject({ ok: 1 });
        const row = await serverRow(id);
        expect(row).toMatchObject({ status: 'up', glancesApiVersion: 3 });
        expect((row.lastSample as { memory: number }).memory).toBeGreaterThan(0);
      } finally {
        await real.stop();
      }
    });
  });
});
