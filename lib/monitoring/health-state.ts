/**
 * Up/down with hysteresis, so one lost poll does not page anyone and one lucky answer does not
 * close the incident of a flapping host. Pure: the caller stores the state with the server.
 */

export type HealthStatus = 'unknown' | 'up' | 'down';

export interface HealthState {
  status: HealthStatus;
  /** Consecutive failed polls (0 after a success). */
  failures: number;
  /** Consecutive successful polls (0 after a failure). */
  successes: number;
}

export interface HealthThresholds {
  /** Consecutive failures that turn a server down. */
  downAfter: number;
  /** Consecutive successes that bring a down server back up. */
  upAfter: number;
}

export const initialHealth: HealthState = Object.freeze({ status: 'unknown', failures: 0, successes: 0 });

/**
 * Next state after one poll. A new server ('unknown') is up on its first success (there is no
 * outage to recover from) and down after `downAfter` failures like any other. `changed` is true
 * when the status differs from `prev.status`, the moment to publish an event or open/close an
 * incident.
 */
export function nextStatus(
  prev: HealthState,
  ok: boolean,
  thresholds: HealthThresholds,
): HealthState & { changed: boolean } {
  const downAfter = Math.max(1, Math.floor(thresholds.downAfter));
  const upAfter = Math.max(1, Math.floor(thresholds.upAfter));
  const failures = ok ? 0 : prev.failures + 1;
  const successes = ok ? prev.successes + 1 : 0;

  let status = prev.status;
  if (ok && (prev.status === 'unknown' || (prev.status === 'down' && successes >= upAfter))) status = 'up';
  if (!ok && prev.status !== 'down' && failures >= downAfter) status = 'down';

  return { status, failures, successes, changed: status !== prev.status };
}
