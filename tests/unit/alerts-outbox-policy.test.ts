import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  GROUP_CHAT_LIMITS,
  isGroupChat,
  nextAttempt,
  planRetry,
  PRIVATE_CHAT_LIMITS,
  rateLimitsFor,
  shouldGiveUp,
  takeSendSlot,
  type ChatRateState,
  type RateLimit,
} from '@/lib/alerts/outbox-policy';

const NOW = Date.UTC(2025, 10, 26, 5, 37);
const transient = { permanent: false, reason: 'connection refused' };

describe('nextAttempt', () => {
  it('waits exactly retry_after after a 429, without jitter or cap', () => {
    const at = nextAttempt({ attempts: 3, lastError: { permanent: false, retryAfterSeconds: 17, reason: 'rate limited' } }, NOW);
    expect(at.getTime()).toBe(NOW + 17_000);
    const long = nextAttempt({ attempts: 1, lastError: { permanent: false, retryAfterSeconds: 3600, reason: 'x' } }, new Date(NOW));
    expect(long.getTime()).toBe(NOW + 3_600_000);
  });

  it('backs off exponentially up to the cap', () => {
    const noJitter = () => 0;
    const delays = [1, 2, 3, 4, 5, 20, 1000].map((attempts) => nextAttempt({ attempts, lastError: transient }, NOW, DEFAULT_BACKOFF, noJitter).getTime() - NOW);
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 600_000, 600_000]);
  });

  it('stays within [delay × (1 − jitter), delay], after now, for any attempt count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempts, r) => {
        const full = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** Math.min(Math.max(attempts, 1) - 1, 40));
        const delay = backoffDelayMs(attempts, DEFAULT_BACKOFF, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(full * (1 - DEFAULT_BACKOFF.jitter)));
        expect(delay).toBeLessThanOrEqual(full);
        expect(delay).toBeGreaterThan(0);
      }),
    );
  });
});

describe('shouldGiveUp and planRetry', () => {
  it('never gives up on a transient error, however often it happened', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.option(fc.nat(100_000), { nil: undefined }), (attempts, retryAfterSeconds) => {
        const state = { attempts, lastError: { permanent: false, retryAfterSeconds, reason: 'x' } };
        expect(shouldGiveUp(state)).toBe(false);
        expect(planRetry(state, NOW).action).toBe('retry');
      }),
    );
    expect(shouldGiveUp({ attempts: 0 })).toBe(false);
  });

  it('marks a permanent error dead with its reason', () => {
    const state = { attempts: 1, lastError: { permanent: true, reason: 'chat not found' } };
    expect(shouldGiveUp(state)).toBe(true);
    expect(planRetry(state, NOW)).toEqual({ action: 'dead', reason: 'chat not found' });
  });
});

describe('per-chat rate limit', () => {
  it('knows groups, supergroups and channels from private chats', () => {
    expect(isGroupChat(-1001234567890)).toBe(true);
    expect(isGroupChat('-42')).toBe(true);
    expect(isGroupChat('@gatehouse_alerts')).toBe(true);
    expect(isGroupChat(123456)).toBe(false);
    expect(rateLimitsFor(123)).toBe(PRIVATE_CHAT_LIMITS);
    expect(rateLimitsFor(-123)).toBe(GROUP_CHAT_LIMITS);
  });

  it('allows one message, then asks to wait a second', () => {
    const first = takeSendSlot(undefined, PRIVATE_CHAT_LIMITS, NOW);
    expect(first.allowed).toBe(true);
    const second = takeSendSlot(first.state, PRIVATE_CHAT_LIMITS, NOW + 200);
    expect(second).toMatchObject({ allowed: false, retryAt: NOW + 1000 });
    expect(takeSendSlot(second.state, PRIVATE_CHAT_LIMITS, NOW + 1000).allowed).toBe(true);
  });

  it('lets a burst through back to back, then spaces messages out', () => {
    const limits: RateLimit[] = [{ intervalMs: 1000, burst: 3 }];
    let state: ChatRateState | undefined;
    const allowed = [0, 0, 0, 0].map(() => {
      const d = takeSendSlot(state, limits, NOW);
      state = d.state;
      return d.allowed;
    });
    expect(allowed).toEqual([true, true, true, false]);
  });

  /** Sends as often as the limiter allows for any request pattern; returns the send times. */
  function simulate(limits: readonly RateLimit[], gaps: number[]): number[] {
    let state: ChatRateState | undefined;
    let now = NOW;
    const sent: number[] = [];
    for (const gap of gaps) {
      now += gap;
      const d = takeSendSlot(state, limits, now);
      state = d.state;
      if (d.allowed) sent.push(now);
      else expect(d.retryAt).toBeGreaterThan(now);
    }
    return sent;
  }
  const maxInWindow = (times: number[], windowMs: number) =>
    Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

  it('never sends more than one message a second to a private chat', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1500), { maxLength: 300 }), (gaps) => {
        expect(maxInWindow(simulate(PRIVATE_CHAT_LIMITS, gaps), 1000)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never sends more than 20 messages a minute to a group', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(4000), { maxLength: 300 }), (gaps) => {
        const sent = simulate(GROUP_CHAT_LIMITS, gaps);
        expect(maxInWindow(sent, 60_000)).toBeLessThanOrEqual(20);
        expect(maxInWindow(sent, 1000)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('does not let an idle chat bank more than its burst', () => {
    const first = takeSendSlot(undefined, GROUP_CHAT_LIMITS, NOW);
    const later = takeSendSlot(first.state, GROUP_CHAT_LIMITS, NOW + 3_600_000);
    expect(later.allowed).toBe(true);
    expect(takeSendSlot(later.state, GROUP_CHAT_LIMITS, NOW + 3_600_000).allowed).toBe(false);
  });
});
