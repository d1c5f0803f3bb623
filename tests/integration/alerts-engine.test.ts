import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects } from '../support/test-db';
import { getDb, switchDatabase } from '@/lib/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { addServer, alertingSuite, alertRows, notificationRows, poll, setSample, setServerStatus } from './alerts-fixtures';

/**
 * Incidents open only after their rule's duration, close after the clear window with
 * hysteresis, survive a restart, and never produce more than one message per change, however
 * the condition flaps. Time is driven by a test clock: one poll = 15 s.
 */
const TOKEN = '123456:ABC-engine-test-token-abcdefghijklmnop';

describe.each(dialects)('alert engine on %s', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '4242' });
  const { clock } = suite;

  const cpuPolls = async (server: string, values: number[]) => {
    for (const cpu of values) {
      await setSample(server, clock.now, { cpu });
      await poll(clock);
    }
  };

  it('a threshold crossed for less than the duration sends nothing', async () => {
    const web = await addServer('web01');
    await cpuPolls(web, Array(19).fill(95)); // 4 min 45 s of the 5 min the default CPU rule wants
    expect(suite.tg.messages).toHaveLength(0);
    expect((await alertRows()).map((a) => a.state)).toEqual(['pending']);
    await cpuPolls(web, [20]);
    expect(await alertRows()).toHaveLength(0);
    expect(await notificationRows()).toHaveLength(0);
    expect(suite.tg.calls).toHaveLength(0);
  });

  it('held for the duration: exactly one message; cleared: exactly one recovery message after the clear window', async () => {
    const web = await addServer('web01', { host: '203.0.113.7' });
    await cpuPolls(web, Array(21).fill(95));
    expect(suite.tg.messages).toHaveLength(1);
    const fired = suite.tg.messages[0]!;
    expect(fired.text).toContain('CPU usage high');
    expect(fired.text).toContain('web01');
    expect(fired.text).toContain('CPU 95% (threshold 85%) for 5m');
    expect(fired.text).not.toContain('203.0.113.7');
    expect(fired.parse_mode).toBe('HTML');
    expect(fired.chat_id).toBe('4242');
    await cpuPolls(web, Array(40).fill(97)); // still high for 10 more minutes: no repeats (no reminder on CPU)
    expect(suite.tg.messages).toHaveLength(1);

    // Between threshold and threshold minus the margin (80–85) is not "clear": nothing closes.
    await cpuPolls(web, Array(30).fill(82));
    expect((await alertRows())[0]!.state).toBe('firing');
    // Clear for 4 min 45 s: still open; the 5-minute clear window closes it.
    await cpuPolls(web, Array(20).fill(20));
    expect(suite.tg.messages).toHaveLength(1);
    await cpuPolls(web, Array(2).fill(20));
    expect(suite.tg.messages).toHaveLength(2);
    expect(suite.tg.messages[1]!.text).toContain('CPU usage back to normal');
    const [alert] = await alertRows();
    expect(alert).toMatchObject({ state: 'resolved', kind: 'cpu', subjectName: 'web01' });
    expect(alert!.resolvedAt!.getTime()).toBeLessThan(clock.now.getTime() - 250_000); // when it cleared, not when we noticed
    await cpuPolls(web, Array(20).fill(20));
    expect(suite.tg.messages).toHaveLength(2);
  });

  it('flapping on every poll never opens an incident with a duration', async () => {
    const web = await addServer('web01');
    await cpuPolls(web, Array.from({ length: 200 }, (_, i) => (i % 2 ? 20 : 99)));
    expect(suite.tg.calls).toHaveLength(0);
    expect(await notificationRows()).toHaveLength(0);
  });

  it('an open incident that flaps on every poll stays one incident: one alert, one recovery', async () => {
    const web = await addServer('web01');
    await cpuPolls(web, Array(21).fill(95));
    await cpuPolls(web, Array.from({ length: 200 }, (_, i) => (i % 2 ? 10 : 95)));
    expect(suite.tg.messages).toHaveLength(1);
    await cpuPolls(web, Array(25).fill(10));
    expect(suite.tg.messages.map((m) => m.text!.split('\n')[0])).toEqual(['🟠 <b>Warning</b> · CPU usage high', '✅ <b>Resolved</b> · CPU usage back to normal']);
    expect(await alertRows()).toHaveLength(1);
  });

  it('a server going down and up on every poll (no duration) gives at most one pair', async () => {
    const web = await addServer('web01');
    for (let i = 0; i < 200; i++) {
      await setServerStatus(web, i % 2 ? 'up' : 'down');
      await poll(clock);
    }
    await setServerStatus(web, 'up');
    for (let i = 0; i < 10; i++) await poll(clock);
    expect(suite.tg.messages.map((m) => m.text!.split('\n')[0])).toEqual(['🔴 <b>Critical</b> · Server unreachable', '✅ <b>Resolved</b> · Server reachable again']);
  });

  it('a subject that keeps bouncing just slower than the clear window waits longer each time (no storm)', async () => {
    const web = await addServer('web01');
    // Down for 1 poll, then up for 75 s (past the 60 s clear window), for an hour.
    for (let i = 0; i < 240; i++) {
      await setServerStatus(web, i % 6 === 0 ? 'down' : 'up');
      await poll(clock);
    }
    const fired = suite.tg.messages.filter((m) => m.text!.includes('Server unreachable')).length;
    // Without damping this would be 40 pairs; the doubling clear window keeps it to a handful.
    expect(fired).toBeGreaterThanOrEqual(1);
    expect(fired).toBeLessThanOrEqual(4);
  });

  it('keeps its state in the database: a restart mid-duration neither forgets nor repeats', async () => {
    const web = await addServer('web01');
    await cpuPolls(web, Array(12).fill(95)); // 3 minutes pending
    await switchDatabase(suite.tdb.url); // a new connection, as after a restart
    await cpuPolls(web, Array(9).fill(95));
    expect(suite.tg.messages).toHaveLength(1);
    await switchDatabase(suite.tdb.url);
    await cpuPolls(web, Array(10).fill(95));
    expect(suite.tg.messages).toHaveLength(1);
  });

  it('sends reminders while an incident stays open, per the rule', async () => {
    const web = await addServer('web01');
    await setServerStatus(web, 'down');
    await poll(clock); // fires at once (server down has no duration; monitoring already waited)
    for (let i = 0; i < 4 * 60 * 4; i++) await poll(clock); // four hours, server_down reminds every 120 min
    const heads = suite.tg.messages.map((m) => m.text!.split('\n')[0]);
    expect(heads).toEqual(['🔴 <b>Critical</b> · Server unreachable', '🔁 <b>Still open</b> · Server unreachable', '🔁 <b>Still open</b> · Server unreachable']);
    expect(suite.tg.messages[1]!.text).toContain('Open for 2h');
  });

  it('stale samples change nothing; a disabled rule closes its incident quietly', async () => {
    const web = await addServer('web01');
    await cpuPolls(web, Array(21).fill(95));
    expect(suite.tg.messages).toHaveLength(1);
    for (let i = 0; i < 40; i++) await poll(clock); // no new sample for 10 minutes: still firing, nothing sent
    expect((await alertRows())[0]!.state).toBe('firing');
    const { db, t } = getDb();
    await db.update(t.alertRules).set({ enabled: false }).where(eq(t.alertRules.kind, 'cpu'));
    await evaluateAlerts({ now: clock.now });
    expect((await alertRows())[0]!.state).toBe('resolved');
    expect(suite.tg.messages).toHaveLength(1);
  });
});
