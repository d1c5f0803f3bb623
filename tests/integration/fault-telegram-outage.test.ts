/**
 * Fault: the Telegram Bot API answers every call with 500 for ten minutes (of the test's clock),
 * then works again. Meanwhile servers go down at seeded moments, and some come back before the
 * outage ends. What must still hold: nothing goes to the chat during the outage; afterwards
 * every message the outage held back (each opening, each resolution) reaches the chat exactly
 * once, in the order the changes happened, an incident's resolution after its opening; and the
 * outbox ends with nothing pending, sending, held or dead.
 *
 * The jobs run at their production rhythm on the injected clock: delivery every 2 s, evaluation
 * every 15 s. No real time passes, so backoff (5 s doubling to its 10 min cap) plays out fully.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';
import { seededRandom } from '../support/seed';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { addServer, alertingSuite, alertRows, deliverAt, notificationRows, setServerStatus } from './alerts-fixtures';

const TOKEN = '123456:ABC-fault-outage-token-abcdefghijk';
const OUTAGE_S = 10 * 60;
const DELIVER_EVERY_S = 2;
const EVALUATE_EVERY_S = 15;
/** After the outage: the head's backoff (at most 10 min) plus one message a second. */
const DRAIN_DEADLINE_S = 30 * 60;

describe.each(dialects)('fault: Telegram answers 500 for 10 simulated minutes, then 200 (%s)', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '4242' });
  const { clock } = suite;

  it('every incident opened (and resolved) during the outage reaches the chat exactly once afterwards, in order; the outbox ends empty', async () => {
    const rng = seededRandom(`fault-telegram-outage ${dialect}`, 4711);
    // Incidents: server k goes down at `down` seconds into the outage; some come back at `up`.
    // A server that is back resolves after the 60 s clear window (+ one evaluation): still inside the outage.
    const plan = Array.from({ length: rng.int(5, 10) }, (_, k) => {
      const down = rng.int(0, OUTAGE_S - 200);
      const up = rng.next() < 0.35 ? rng.int(down + 30, OUTAGE_S - 100) : null;
      return { name: `srv-${k}`, down, up, id: '', status: 'up' as 'up' | 'down' };
    });
    for (const p of plan) p.id = await addServer(p.name);

    const start = clock.now.getTime();
    const elapsed = () => (clock.now.getTime() - start) / 1000;
    /** When each change happened on the test clock (the evaluation that saw it), by alert id + kind. */
    const changedAt = new Map<string, number>();
    let nextEvaluation = 0;
    const step = async () => {
      for (const p of plan) {
        const status = p.down <= elapsed() && (p.up === null || elapsed() < p.up) ? 'down' : 'up';
        if (status !== p.status) await setServerStatus(p.id, (p.status = status));
      }
      if (elapsed() >= nextEvaluation) {
        const stats = await evaluateAlerts({ now: clock.now });
        nextEvaluation += EVALUATE_EVERY_S;
        if (stats.fired || stats.resolved) {
          for (const r of await notificationRows()) if (!changedAt.has(r.id)) changedAt.set(r.id, elapsed());
        }
      }
      await deliverAt(clock, { random: rng.next });
      clock.advance(DELIVER_EVERY_S);
    };

    suite.tg.setFailing({ kind: '500' });
    while (elapsed() < OUTAGE_S) await step();
    const during = suite.tg.calls.filter((c) => c.method === 'sendMessage');
    expect(during.length).toBeGreaterThan(0); // delivery kept trying…
    expect(during.every((c) => c.status === 500)).toBe(true); // …and nothing got through
    const held = await notificationRows();
    expect(held.map((r) => r.status).every((s) => s === 'pending')).toBe(true);
    expect(held.length).toBe(plan.length + plan.filter((p) => p.up !== null).length);

    suite.tg.setFailing(null);
    const outageEnd = elapsed();
    while (elapsed() - outageEnd < DRAIN_DEADLINE_S && (await notificationRows()).some((r) => r.status !== 'sent')) await step();

    const rows = await notificationRows();
    expect(rows.filter((r) => r.status !== 'sent'), 'outbox rows not sent').toEqual([]);
    expect(rows).toHaveLength(held.length); // nothing new was queued after the outage
    const byText = new Map(rows.map((r) => [r.text, r]));
    expect(byText.size).toBe(rows.length);
    const delivered = suite.tg.messages.map((m) => byText.get(m.text!));
    expect(delivered.every(Boolean), 'a message in the chat that the outbox never held').toBe(true);
    // Exactly once each…
    expect(delivered.map((r) => r!.id).sort()).toEqual(rows.map((r) => r.id).sort());
    // …in the order the changes happened (changes seen by one evaluation may go in either order)…
    const times = delivered.map((r) => changedAt.get(r!.id)!);
    expect(times.every((t, i) => i === 0 || times[i - 1]! <= t), `delivery order by change time: ${times.join(', ')}`).toBe(true);
    // …and every incident's resolution after its opening.
    const alerts = await alertRows();
    expect(alerts).toHaveLength(plan.length);
    for (const a of alerts) {
      const mine = delivered.filter((r) => r!.alertId === a.id).map((r) => r!.kind);
      expect(mine, a.subjectName).toEqual(a.state === 'resolved' ? ['fired', 'resolved'] : ['fired']);
    }
    expect(alerts.filter((a) => a.state === 'resolved').length).toBe(plan.filter((p) => p.up !== null).length);
  });
});
