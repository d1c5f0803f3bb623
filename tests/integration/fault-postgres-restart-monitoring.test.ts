/**
 * Fault: PostgreSQL restarts under a running Gatehouse, which is not restarted itself. A private
 * PostgreSQL (own data dir and port, never the shared server other tests use) is stopped with
 * `pg_ctl -m fast` (open sessions are cut with 57P01) at two moments of a monitoring poll cycle,
 * and between Telegram accepting an alert and the outbox recording that.
 *
 * "Not lost" means, precisely: every poll result of a cycle is either stored (its sample row, the
 * server's latest state and its `metrics` event, in one transaction) or counted in the cycle's
 * `unsaved` (logged, none of it kept); a cycle that cannot start because the database is down
 * throws and is reported by the scheduler. So the samples stored equal the results polled minus
 * those reported unsaved, no (server, time) is stored twice, and every sample has exactly one
 * `metrics` event. The results of the cycle in flight while the server was down are the only
 * ones that may be missing, and only as reported. Cycles are run back to back as the scheduler
 * would, without its one-minute wait; "recovers within 10 s" is the deadline for the first cycle
 * that stores everything again after PostgreSQL accepts connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { requirePrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/postgres';
import { startGlancesFleetFake, type GlancesFleetFake } from '../support/glances-v4-fake';
import { startTelegramFake, type TelegramFake } from '../support/telegram-fake';
import { seededRandom } from '../support/seed';
import { waitFor } from '../support/wait';
import { getDb, newId, rawDb } from '@/lib/db';
import { busReady, subscribe, type GatehouseEvent } from '@/lib/events/bus';
import { GlancesClient } from '@/lib/glances/client';
import { runMonitoringCycle } from '@/lib/monitoring/poll-service';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { CLAIM_LEASE_MS, deliverDue, recoverOutbox, resetDeliveryState } from '@/lib/alerts/outbox';
import { seedDefaultRules } from '@/lib/alerts/rules';
import { sendTelegramMessage } from '@/lib/alerts/telegram';

const runs = dialects.includes('postgres') && requirePrivatePostgres();

describe.skipIf(!runs)('fault: PostgreSQL restarts under a running Gatehouse (private instance, pg_ctl -m fast)', () => {
  const rng = seededRandom('fault-postgres-restart-monitoring', 6021);
  let pg: PrivatePostgres;
  let tdb: TestDb;
  let tg: TelegramFake;
  let fleet: GlancesFleetFake | undefined;
  const received: GatehouseEvent[] = [];
  let unsubscribe = () => {};

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    tg = await startTelegramFake();
    tdb = await openTestDb('postgres', { TELEGRAM_BOT_TOKEN: '123456:ABC-fault-pg-token-abcdefghijklmn', TELEGRAM_CHAT_ID: '4242', TELEGRAM_API_URL: tg.apiRoot }, { postgresAdminUrl: pg.adminUrl });
    unsubscribe = subscribe((e) => received.push(e));
    await busReady();
  });
  afterAll(async () => {
    unsubscribe();
    await fleet?.stop();
    await tdb?.close();
    await tg?.stop();
    await pg?.destroy();
  });

  it('mid poll cycle (every poll in flight): that cycle is stored whole or reported unsaved; cycles store again within 10 s; no sample lost unreported or doubled; live events resume', async () => {
    const n = rng.int(3, 8);
    fleet = await startGlancesFleetFake({ count: n, apiVersion: 4 });
    const { db, t } = getDb();
    const now = new Date();
    for (let i = 0; i < n; i++) {
      await db.insert(t.servers).values({ id: newId(), name: `mon-${i}`, host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now, glancesUrl: fleet.baseUrl(i), monitoringEnabled: true });
    }
    const pool = rawDb().pg;
    // Requests may wait in a hold for as long as a restart takes.
    const client = new GlancesClient({ timeoutMs: 30_000, connectTimeoutMs: 3_000 });
    const cycles: Array<{ ok: number; unsaved: number } | { error: string }> = [];
    const cycle = async () => {
      try {
        const st = await runMonitoringCycle({ client, spreadMs: 0 });
        cycles.push({ ok: st.ok, unsaved: st.unsaved });
        return st;
      } catch (err) {
        cycles.push({ error: (err as Error).message });
        return null;
      }
    };
    /** A cycle whose polls are all in flight (their answers held) while `fault` runs. */
    const heldCycle = async (fault: () => Promise<void>) => {
      fleet!.hold();
      const running = cycle();
      await waitFor(() => fleet!.heldCount() === n, { description: `${n} polls in flight` });
      await fault();
      fleet!.release();
      return running;
    };
    const recovery = async () => {
      const since = Date.now();
      await waitFor(async () => {
        const st = await cycle();
        return st !== null && st.ok === n && st.unsaved === 0;
      }, { timeoutMs: 10_000, intervalMs: 100, description: 'a cycle that stores every result again' });
      return Date.now() - since;
    };

    for (let i = rng.int(1, 3); i > 0; i--) expect(await cycle()).toMatchObject({ ok: n, unsaved: 0 });

    // 1. Restarted while every poll is in flight: the cycle's write comes after the restart.
    const restarted = await heldCycle(() => pg.restart());
    expect(restarted?.ok).toBe(n);
    const afterRestartMs = await recovery();

    for (let i = rng.int(0, 2); i > 0; i--) await cycle();

    // 2. Stopped while every poll is in flight: the write meets a stopped server and is reported.
    const stopped = await heldCycle(() => pg.stop());
    expect(stopped).toMatchObject({ ok: n, unsaved: n });
    expect(await cycle()).toBeNull(); // cannot even load the servers: thrown, the scheduler logs it
    const lastBefore = Math.max(0, ...received.map((e) => e.id));
    await pg.start();
    const afterStartMs = await recovery();
    for (let i = rng.int(1, 3); i > 0; i--) await cycle();
    console.log(`[fault-postgres-restart-monitoring] first complete cycle ${afterRestartMs} ms after the restart, ${afterStartMs} ms after the start; cycles: ${JSON.stringify(cycles)}`);

    // Same client, same process: nothing was reopened.
    expect(rawDb().pg).toBe(pool);
    // Live events (LISTEN/NOTIFY) come back by themselves, including those NOTIFYed while nobody listened.
    const storedSince = (await db.select({ id: t.events.id }).from(t.events).where(sql`${t.events.id} > ${lastBefore}`)).map((e) => Number(e.id));
    expect(storedSince.length).toBeGreaterThan(0);
    await waitFor(() => storedSince.every((id) => received.some((e) => e.id === id)), { description: 'every event stored since the stop, received live' });

    const polled = cycles.reduce((sum, c) => sum + ('ok' in c ? c.ok - c.unsaved : 0), 0);
    const samples = await db.select({ serverId: t.metricSamples.serverId, at: t.metricSamples.at }).from(t.metricSamples);
    expect(samples).toHaveLength(polled);
    expect(new Set(samples.map((s) => `${s.serverId} ${s.at.toISOString()}`)).size).toBe(samples.length);
    const metrics = await db.select({ serverId: t.events.serverId, n: sql<number>`count(*)` }).from(t.events).where(sql`${t.events.type} = 'metrics'`).groupBy(t.events.serverId);
    const perServer = new Map<string, number>();
    for (const s of samples) perServer.set(s.serverId, (perServer.get(s.serverId) ?? 0) + 1);
    expect(new Map(metrics.map((m) => [m.serverId!, Number(m.n)]))).toEqual(perServer);
    const [ids] = await db.select({ all: sql<number>`count(*)`, distinct: sql<number>`count(distinct ${t.events.id})` }).from(t.events);
    expect(Number(ids!.distinct)).toBe(Number(ids!.all));
  });

  it('between Telegram accepting an alert and the outbox recording it: the message is recorded once the server is back, and never sent twice', async () => {
    await seedDefaultRules();
    resetDeliveryState();
    tg.reset();
    const { db, t } = getDb();
    const now = new Date();
    const id = newId();
    await db.insert(t.servers).values({ id, name: 'edge-down', host: '127.0.0.1', authMethod: 'password', status: 'down', createdAt: now, updatedAt: now });
    expect((await evaluateAlerts({ now })).fired).toBe(1);

    let starting: Promise<void> | undefined;
    const stats = await deliverDue({
      send: async (target, html) => {
        const answer = await sendTelegramMessage(target, html);
        await pg.stop(); // Telegram has the message; the outbox's "sent" write meets a stopped server
        starting = pg.start();
        return answer;
      },
    });
    await starting;
    expect(stats).toMatchObject({ sent: 1, retrying: 0, dead: 0 });
    const [row] = await db.select().from(t.notifications);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, claimedAt: null });

    // Later runs, also after every lease has expired, find nothing to send again.
    await deliverDue();
    const later = new Date(Date.now() + CLAIM_LEASE_MS + 60_000);
    await recoverOutbox({ now: later });
    await deliverDue({ clock: () => later });
    expect(tg.messages.map((m) => m.text)).toEqual([row!.text]);
  });
});
