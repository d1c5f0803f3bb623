import type { ConditionStatus } from './conditions';

/**
 * The incident life cycle, free of I/O: pending → firing → resolved, one row per key (kind +
 * subject). The database driver (evaluate.ts) stores what this decides.
 *
 * - Opening: the condition must hold for the rule's duration without a break; any poll that is
 *   not above the threshold drops the pending incident (nothing was ever sent for it), so a
 *   value that flaps on every poll never opens one.
 * - Closing: the condition must stay clear (below threshold minus the hysteresis margin) for
 *   the clear window; a poll back in breach or inside the margin band restarts that wait. An
 *   incident that flaps therefore stays one open incident instead of many short ones.
 * - Repeat offenders wait longer: the clear window doubles for each other incident of the same
 *   key that started within the last hour (up to ×8), so a subject that keeps bouncing with a
 *   period just longer than the window still cannot produce a storm.
 * - Unknown data (a stale sample) changes nothing; a disabled rule drops pending incidents and
 *   closes open ones without a message.
 */
export interface OpenIncident {
  /** A resolved row is history: for the state machine it is as if there were none. */
  state: 'pending' | 'firing' | 'resolved';
  pendingSince: Date;
  clearSince: Date | null;
  startedAt: Date | null;
  lastNotifiedAt: Date | null;
}

export interface RuleTiming {
  durationSeconds: number;
  reminderMinutes: number | null;
}

export type Decision =
  | { type: 'none' }
  /** A new pending incident (the condition started now). */
  | { type: 'pend' }
  /** Open the incident and send its message: from a pending row, or straight away for duration 0. */
  | { type: 'fire' }
  /** Forget a pending incident whose condition broke before its duration was up. */
  | { type: 'drop' }
  /** The condition cleared: start the clear window. */
  | { type: 'clearing' }
  /** Back in breach (or in the margin band) during the clear window: the wait starts over. */
  | { type: 'unclear' }
  /** Close the incident; quiet: without a message (the rule was disabled). */
  | { type: 'resolve'; quiet: boolean; at: Date }
  | { type: 'remind' };

const MIN_CLEAR_MS = 60_000;
const MAX_CLEAR_MS = 600_000;
const FLAP_WINDOW_MS = 3_600_000;
const MAX_FLAP_FACTOR = 8;

/** The base clear window: the rule's duration, at least a minute, at most ten. */
export function clearWindowMs(durationSeconds: number): number {
  return Math.min(MAX_CLEAR_MS, Math.max(MIN_CLEAR_MS, durationSeconds * 1000));
}

/** ×1 for the first incident of a key within the hour, ×2, ×4, then ×8 for repeat offenders. */
export function flapFactor(incidentsInLastHour: number): number {
  return Math.min(MAX_FLAP_FACTOR, 2 ** Math.max(0, incidentsInLastHour - 1));
}

export { FLAP_WINDOW_MS };

/**
 * What to do with one key this cycle. `clearMs` is the clear window to apply (the caller adds
 * the flap factor once it knows the key's recent history; see `clearWindowMs`).
 */
export function decide(open: OpenIncident | undefined, status: ConditionStatus, rule: RuleTiming, now: Date, clearMs = clearWindowMs(rule.durationSeconds)): Decision {
  const t = now.getTime();
  if (!open || open.state === 'resolved') {
    if (status !== 'active') return { type: 'none' };
    return rule.durationSeconds <= 0 ? { type: 'fire' } : { type: 'pend' };
  }
  if (open.state === 'pending') {
    if (status === 'unknown') return { type: 'none' };
    if (status !== 'active') return { type: 'drop' };
    return t - open.pendingSince.getTime() >= rule.durationSeconds * 1000 ? { type: 'fire' } : { type: 'none' };
  }
  // firing
  if (status === 'off') return { type: 'resolve', quiet: true, at: now };
  if (status === 'unknown') return { type: 'none' };
  if (status === 'clear') {
    if (!open.clearSince) return { type: 'clearing' };
    if (t - open.clearSince.getTime() >= clearMs) return { type: 'resolve', quiet: false, at: open.clearSince };
    return { type: 'none' };
  }
  // active or hold: not clear
  if (open.clearSince) return { type: 'unclear' };
  if (status === 'active' && dueReminder(open, rule, t)) return { type: 'remind' };
  return { type: 'none' };
}

function dueReminder(open: OpenIncident, rule: RuleTiming, t: number): boolean {
  if (!rule.reminderMinutes) return false;
  const last = (open.lastNotifiedAt ?? open.startedAt ?? open.pendingSince).getTime();
  return t - last >= rule.reminderMinutes * 60_000;
}
