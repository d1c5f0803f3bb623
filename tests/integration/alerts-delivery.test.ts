import { beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { CLAIM_LEASE_MS, claimDue, recoverOutbox, resetDeliveryState } from '@/lib/alerts/outbox';
import { sendTelegramMessage } from '@/lib/alerts/telegram';
import { addServer, alertingSuite, countNotifications, deliverAt, notificationRows, setServerStatus } from './alerts-fixtures';

/**
 * The outbox against the fake Bot API: Telegram's 429 retry_after and 5xx are honoured, a long
 * outage loses nothing and duplicates nothing, and a restart at any point of a delivery resumes
 * it. Each incident here is a server going down (no duration), so one evaluation = one message.
 */
const TOKEN = '123456:ABC-delivery-test-token-abcdefghijk';

describe.each(dialects)('Telegram outbox on %s', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '4242' });
  const { clock } = suite;
  beforeEach(() => suite.tg.setDown(false));

  /** `n` servers go down: `n` messages in the outbox, named srv-0 … srv-(n-1). */
  const downServers = async (n: number) => {
    for (let i = 0; i < n; i++) await setServerStatus(await addServer(`srv-${i}`), 'down');
    await evaluateAlerts({ now: clock.now });
    expect(await countNotifications('pending')).toBe(n);
  };
  const sentTexts = () => suite.tg.messages.map((m) => /srv-\d+/.exec(m.text!)?.[0]);

  it('honours a 429 retry_after: nothing goes to the chat before it has passed', async () => {
    await downServers(2);
    suite.tg.failNext(1, { kind: '429', retryAfter: 30 });
    expect(await deliverAt(clock)).toMatchObject({ sent: 0, retrying: 1 });
    expect(suite.tg.calls).toHaveLength(1);
    const [row] = await notificationRows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'rate limited by Telegram' });
    expect(row!.nextAttemptAt.getTime() - clock.now.getTime()).toBe(30_000);
    for (const wait of [5, 10, 14]) {
      clock.advance(wait);
      await deliverAt(clock);
    }
    expect(suite.tg.calls).toHaveLength(1); // 29 s later: still waiting
    clock.advance(1);
    await deliverAt(clock);
    clock.advance(2);
    await deliverAt(clock);
    expect(sentTexts()).toEqual(['srv-0', 'srv-1']);
    expect(await countNotifications('sent')).toBe(2);
  });

  it('retries 500s with backoff and sends each message once', async () => {
    await downServers(1);
    suite.tg.failNext(3, { kind: '500' });
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await deliverAt(clock);
      const [row] = await notificationRows();
      expect(row).toMatchObject({ status: 'pending', attempts: i + 1, lastError: 'Telegram server error (HTTP 500)' });
      waits.push((row!.nextAttemptAt.getTime() - clock.now.getTime()) / 1000);
      clock.advance(waits[i]!);
    }
    expect(waits).toEqual([5, 10, 20]);
    await deliverAt(clock);
    expect(suite.tg.calls).toHaveLength(4);
    expect(sentTexts()).toEqual(['srv-0']);
  });

  it('Bot API down for hours: everything is delivered once it is back, each message exactly once and in order', async () => {
    await suite.tg.setDown(true);
    await downServers(12);
    for (let i = 0; i < 4 * 60 * 2; i++) {
      await deliverAt(clock); // the job's rhythm is 2 s; backoff keeps the attempts sparse
      clock.advance(30);
    }
    const [head] = await notificationRows();
    expect(head!.status).toBe('pending');
    expect(head!.lastError).toMatch(/^cannot reach Telegram/);
    expect(head!.nextAttemptAt.getTime() - clock.now.getTime()).toBeLessThanOrEqual(10 * 60_000); // backoff is capped
    expect(suite.tg.calls).toHaveLength(0);
    expect(await countNotifications('sent')).toBe(0);

    await suite.tg.setDown(false);
    clock.advance(10 * 60);
    for (let i = 0; i < 20 && (await countNotifications('sent')) < 12; i++) {
      await deliverAt(clock);
      clock.advance(2);
    }
    expect(sentTexts()).toEqual(Array.from({ length: 12 }, (_, i) => `srv-${i}`));
    expect(await countNotifications('sent')).toBe(12);
    // At most one message a second to a private chat (Telegram's per-chat limit), on the test clock.
    const sentAt = (await notificationRows()).map((r) => r.sentAt!.getTime());
    expect(sentAt.slice(1).every((at, i) => at - sentAt[i]! >= 1000)).toBe(true);
  });

  it('a restart after the claim but before the send: the claimed messages go out once', async () => {
    await downServers(3);
    const claimed = await claimDue(clock.now);
    expect(claimed).toHaveLength(3);
    // The process dies here. A new one starts: on SQLite the start-up hook frees every claim at once;
    // on PostgreSQL another instance may still hold them, so they are freed when the lease runs out.
    resetDeliveryState();
    await recoverOutbox({ now: clock.now, startup: true });
    if (dialect === 'postgres') {
      await deliverAt(clock);
      expect(suite.tg.calls).toHaveLength(0);
      clock.advanceMs(CLAIM_LEASE_MS + 1000);
    }
    for (let i = 0; i < 5; i++) await deliverAt(clock);
    expect(sentTexts()).toEqual(['srv-0', 'srv-1', 'srv-2']);
    expect((await notificationRows()).map((r) => [r.status, r.attempts])).toEqual([['sent', 1], ['sent', 1], ['sent', 1]]);
  });

  it('a restart while marked "sending" before the request left: the message goes out once', async () => {
    await downServers(1);
    class Crash extends Error {}
    await expect(deliverAt(clock, { send: async () => { throw new Crash('killed before the request'); } })).rejects.toThrow(Crash);
    expect((await notificationRows())[0]).toMatchObject({ status: 'sending', attempts: 1 });
    resetDeliveryState();
    await recoverOutbox({ now: clock.now, startup: true });
    if (dialect === 'postgres') clock.advanceMs(CLAIM_LEASE_MS + 1000);
    await deliverAt(clock);
    expect(sentTexts()).toEqual(['srv-0']);
    expect((await notificationRows())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('the one at-least-once window: Telegram took the message, the process died before recording it', async () => {
    await downServers(2);
    class Crash extends Error {}
    const crashAfterSend = async (...args: Parameters<typeof sendTelegramMessage>) => {
      await sendTelegramMessage(...args);
      throw new Crash('killed between the answer and the commit');
    };
    await expect(deliverAt(clock, { send: crashAfterSend })).rejects.toThrow(Crash);
    expect(sentTexts()).toEqual(['srv-0']);
    resetDeliveryState();
    await recoverOutbox({ now: clock.now, startup: true });
    if (dialect === 'postgres') clock.advanceMs(CLAIM_LEASE_MS + 1000);
    for (let i = 0; i < 3; i++) await deliverAt(clock);
    // srv-0 is sent again (a duplicate, never a loss); srv-1, claimed but untouched, only once.
    expect(sentTexts()).toEqual(['srv-0', 'srv-0', 'srv-1']);
    const rows = await notificationRows();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('a permanent rejection marks the message dead with a safe reason, and the queue moves on', async () => {
    await downServers(2);
    suite.tg.failNext(1, { kind: '400', description: 'Bad Request: can\'t parse entities: at 10.0.0.5' });
    await deliverAt(clock);
    clock.advance(2);
    await deliverAt(clock);
    const rows = await notificationRows();
    expect(rows.map((r) => r.status)).toEqual(['dead', 'sent']);
    expect(rows[0]!.lastError).toBe('message HTML rejected by Telegram');
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
  });
});
