/**
 * Delivery policy for the notification outbox, free of I/O so the database part only stores
 * what these functions decide. Messages are never dropped for a transient failure: they wait,
 * with backoff capped so delivery resumes within minutes once Telegram is reachable again.
 * Only a permanent failure (bad token, unknown chat) marks a message dead, with its reason.
 */

/** How a delivery attempt failed (the failure half of `TelegramSendResult`). */
export interface DeliveryError {
  /** True when retrying cannot help until an admin changes the configuration. */
  permanent: boolean;
  /** Telegram's 429 `parameters.retry_after`: wait exactly this long. */
  retryAfterSeconds?: number;
  /** Safe text for the outbox row and the UI. */
  reason: string;
}

export interface DeliveryState {
  /** Attempts made so far, including the one that just failed. */
  attempts: number;
  lastError?: DeliveryError | null;
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay taken off at random, so many waiting messages do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000, jitter: 0.25 };

/**
 * When to try again after a failed attempt. A 429 waits exactly its `retry_after` (Telegram
 * extends the ban for clients that come back early); anything else backs off exponentially
 * from `baseMs`, capped at `maxMs`, with up to `jitter` of the delay removed at random.
 */
export function nextAttempt(
  state: DeliveryState,
  now: Date | number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): Date {
  const at = typeof now === 'number' ? now : now.getTime();
  const retryAfter = state.lastError?.retryAfterSeconds;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return new Date(at + retryAfter * 1000);
  }
  return new Date(at + backoffDelayMs(state.attempts, policy, random));
}

/** The jittered, capped delay after `attempts` failures (attempts ≥ 1). */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  // Exponent clamped so 2 ** n stays finite for any attempt count.
  const exponent = Math.min(Math.max(attempts, 1) - 1, 40);
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(full * (1 - policy.jitter * r));
}

/** True only for permanent failures; transient ones never give up, however many attempts. */
export function shouldGiveUp(state: DeliveryState): boolean {
  return state.lastError?.permanent === true;
}

export type DeliveryPlan = { action: 'dead'; reason: string } | { action: 'retry'; at: Date };

/** `shouldGiveUp` and `nextAttempt` together: what the outbox does with a failed message. */
export function planRetry(state: DeliveryState, now: Date | number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): DeliveryPlan {
  if (shouldGiveUp(state)) return { action: 'dead', reason: state.lastError?.reason || 'rejected by Telegram' };
  return { action: 'retry', at: nextAttempt(state, now, policy, random) };
}

/**
 * A token bucket kept as a timestamp (GCRA, the "virtual scheduling" form): the state per
 * limit is the theoretical arrival time of the next message, so it is one number to store and
 * a pure function of the clock. `burst` messages may go back to back; after that one per
 * `intervalMs`.
 */
export interface RateLimit {
  intervalMs: number;
  burst: number;
}

/** Per-chat limiter state: one theoretical arrival time per limit in `rateLimitsFor(chatId)`. */
export interface ChatRateState {
  tat: number[];
}

/**
 * Telegram's published limits (Bots FAQ): about one message a second in a chat, short bursts
 * tolerated; at most 20 a minute in a group. The group limit is read strictly (no burst, one
 * per 3 s) so that no minute ever holds more than 20; an alert storm drains a little slower,
 * which beats collecting a flood-wait.
 */
export const PRIVATE_CHAT_LIMITS: readonly RateLimit[] = [{ intervalMs: 1_000, burst: 1 }];
export const GROUP_CHAT_LIMITS: readonly RateLimit[] = [
  { intervalMs: 1_000, burst: 1 },
  { intervalMs: 3_000, burst: 1 },
];

/** Groups, supergroups and channels have negative ids or an `@username`. */
export function isGroupChat(chatId: string | number): boolean {
  const id = String(chatId).trim();
  return id.startsWith('-') || id.startsWith('@');
}

export function rateLimitsFor(chatId: string | number): readonly RateLimit[] {
  return isGroupChat(chatId) ? GROUP_CHAT_LIMITS : PRIVATE_CHAT_LIMITS;
}

export type RateDecision = { allowed: true; state: ChatRateState } | { allowed: false; retryAt: number; state: ChatRateState };

/**
 * May a message go to this chat at `now` (ms)? When allowed, returns the state to keep (the
 * slot is taken); when not, the unchanged state and the earliest time to ask again.
 */
export function takeSendSlot(
  state: ChatRateState | undefined,
  limits: readonly RateLimit[],
  now: number,
): RateDecision {
  const current = { tat: limits.map((_, i) => state?.tat[i] ?? now) };
  let retryAt = now;
  for (const [i, limit] of limits.entries()) {
    const tat = Math.max(current.tat[i]!, now);
    const tolerance = (Math.max(limit.burst, 1) - 1) * limit.intervalMs;
    retryAt = Math.max(retryAt, tat - tolerance);
  }
  if (retryAt > now) return { allowed: false, retryAt, state: current };
  return {
    allowed: true,
    state: { tat: limits.map((limit, i) => Math.max(current.tat[i]!, now) + limit.intervalMs) },
  };
}
