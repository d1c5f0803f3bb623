/**
 * Fixtures for the alerting tests: the per-dialect set-up (a fake Bot API and a fresh database),
 * rows the other features would write (servers with a last sample, domains, certificates,
 * upstream targets, deploy tasks), a clock the tests drive, and one "poll" step = evaluate +
 * deliver at the clock's time.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openTestDb, type TestDb, type TestDialect } from '../support/test-db';
import { startTelegramFake, type TelegramFake } from '../support/telegram-fake';
import { getDb, newId } from '@/lib/db';
import { evaluateAlerts, type EvaluationStats } from '@/lib/alerts/evaluate';
import { deliverDue, resetDeliveryState, type DeliverOptions, type DeliveryStats } from '@/lib/alerts/outbox';
import { seedDefaultRules } from '@/lib/alerts/rules';

export class TestClock {
  now: Date;
  constructor(start = Date.now()) {
    this.now = new Date(Math.floor(start / 1000) * 1000);
  }
  /** Back to the current time (whole seconds), as a new clock would start. */
  reset(start = Date.now()): void {
    this.now = new Date(Math.floor(start / 1000) * 1000);
  }
  advance(seconds: number): Date {
    this.now = new Date(this.now.getTime() + seconds * 1000);
    return this.now;
  }
  advanceMs(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface AlertingSuite {
  /** The fake Bot API the database's Telegram settings point at; its records are cleared before each test. */
  readonly tg: TelegramFake;
  readonly tdb: TestDb;
  /** One instance for the whole suite, set back to the current time before each test. */
  readonly clock: TestClock;
}

/**
 * The set-up every alerting suite shares, registered as hooks of the surrounding `describe`: a
 * fake Bot API, a fresh database of `dialect` whose Telegram settings point at it (with `token`
 * and `chatId` given as environment variables; without them no channel is configured), and
 * before each test the alerting tables emptied, the fake's records cleared and the clock reset.
 * `tg` and `tdb` exist from the suite's first `beforeAll` on; read them inside hooks and tests.
 */
export function alertingSuite(dialect: TestDialect, telegram?: { token: string; chatId: string }): AlertingSuite {
  const suite = { clock: new TestClock() } as { tg: TelegramFake; tdb: TestDb; clock: TestClock };
  beforeAll(async () => {
    suite.tg = await startTelegramFake();
    const channel: Record<string, string> = telegram ? { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_CHAT_ID: telegram.chatId } : {};
    suite.tdb = await openTestDb(dialect, { ...channel, TELEGRAM_API_URL: suite.tg.apiRoot });
  });
  afterAll(async () => {
    await suite.tdb?.close();
    await suite.tg?.stop();
  });
  beforeEach(async () => {
    await resetAlerting();
    suite.tg.reset();
    suite.clock.reset();
  });
  return suite;
}

/** Empties everything alerting reads or writes and restores the default rules. */
export async function resetAlerting(): Promise<void> {
  const { db, t } = getDb();
  for (const table of [t.notifications, t.alerts, t.silences, t.alertRules, t.tasks, t.domains, t.certificates, t.upstreamTargets, t.upstreams, t.servers]) {
    await db.delete(table);
  }
  await seedDefaultRules();
  resetDeliveryState();
}

export interface SampleInput {
  cpu?: number;
  memory?: number;
  load1?: number;
  disk?: number | null;
  disks?: Array<{ mount: string; percent: number }>;
}

export async function addServer(name: string, opts: { status?: 'unknown' | 'up' | 'down'; host?: string } = {}): Promise<string> {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.servers).values({ id, name, host: opts.host ?? '10.20.30.40', authMethod: 'password', status: opts.status ?? 'up', createdAt: now, updatedAt: now });
  return id;
}

export async function setSample(serverId: string, at: Date, s: SampleInput): Promise<void> {
  const { db, t } = getDb();
  const sample = {
    at: at.toISOString(), apiVersion: 3, cpu: s.cpu ?? 10, memory: s.memory ?? 20, swap: 0, disk: s.disk === undefined ? 30 : s.disk,
    disks: s.disks ?? [], load1: s.load1 ?? 0.5, load5: 0.5, load15: 0.5, netRx: 0, netTx: 0, missing: [],
  };
  await db.update(t.servers).set({ lastSample: sample, lastSeenAt: at }).where(eq(t.servers.id, serverId));
}

export async function setServerStatus(serverId: string, status: 'up' | 'down' | 'unknown'): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.servers).set({ status }).where(eq(t.servers.id, serverId));
}

type HealthCheck = { type: 'none' | 'http' | 'tcp'; path?: string } | null;

/** A pool whose targets have the given health; watched by a TCP check unless told otherwise (upstream_down ignores unwatched pools). */
export async function addUpstream(name: string, targets: Array<{ host: string; health: 'unknown' | 'up' | 'down'; port?: number }>, opts: { healthCheck?: HealthCheck } = {}): Promise<string> {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  const healthCheck = opts.healthCheck === undefined ? { type: 'tcp' as const } : opts.healthCheck;
  await db.insert(t.upstreams).values({ id, name, healthCheck, createdAt: now, updatedAt: now });
  for (const [i, target] of targets.entries()) {
    await db.insert(t.upstreamTargets).values({ id: newId(), upstreamId: id, position: i, host: target.host, port: target.port ?? 8080, healthStatus: target.health });
  }
  return id;
}

export async function setTargetsHealth(upstreamId: string, health: 'unknown' | 'up' | 'down'): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.upstreamTargets).set({ healthStatus: health }).where(eq(t.upstreamTargets.upstreamId, upstreamId));
}

export async function addDomain(fqdn: string, serverId: string, upstreamId: string, opts: { certificateId?: string } = {}): Promise<string> {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.domains).values({
    id, fqdn, aliases: [], serverId, upstreamId, expectedNameservers: [], certificateId: opts.certificateId ?? null, createdAt: now, updatedAt: now,
  });
  return id;
}

export async function setDomain(id: string, change: { status?: 'pending' | 'deployed' | 'failed' | 'drifted'; nsStatus?: 'unknown' | 'ok' | 'mismatch' | 'error'; nsFound?: string[] }) {
  const { db, t } = getDb();
  await db.update(t.domains).set(change).where(eq(t.domains.id, id));
}

export async function addCertificate(names: string[], notAfter: Date): Promise<string> {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.certificates).values({ id, source: 'custom', status: 'valid', names, notAfter, createdAt: now, updatedAt: now });
  return id;
}

export async function addDeployTask(serverId: string, status: 'succeeded' | 'failed', finishedAt: Date, error: string | null = null): Promise<void> {
  const { db, t } = getDb();
  await db.insert(t.tasks).values({ id: newId(), kind: 'server.deploy', status, serverId, error, createdAt: finishedAt, startedAt: finishedAt, finishedAt });
}

export async function notificationRows() {
  const { db, t } = getDb();
  return db.select().from(t.notifications).orderBy(t.notifications.id);
}

export async function alertRows() {
  const { db, t } = getDb();
  return db.select().from(t.alerts).orderBy(t.alerts.id);
}

export async function countNotifications(status?: string): Promise<number> {
  const { db, t } = getDb();
  const [r] = await db
    .select({ n: sql<number>`count(*)` })
    .from(t.notifications)
    .where(status ? sql`${t.notifications.status} = ${status}` : undefined);
  return Number(r.n);
}

/** Delivery at the test clock; waiting for a rate slot advances the clock instead of sleeping. */
export function deliverAt(clock: TestClock, extra: DeliverOptions = {}): Promise<DeliveryStats> {
  return deliverDue({ clock: () => clock.now, sleep: async (ms) => clock.advanceMs(ms), random: () => 0, ...extra });
}

/** One monitoring poll: evaluate and deliver at the clock's time, then move it on. */
export async function poll(clock: TestClock, stepSeconds = 15): Promise<{ evaluation: EvaluationStats; delivery: DeliveryStats }> {
  const evaluation = await evaluateAlerts({ now: clock.now });
  const delivery = await deliverAt(clock);
  clock.advance(stepSeconds);
  return { evaluation, delivery };
}
