import { describe, expect, it } from 'vitest';
import { initialHealth, nextStatus, type HealthState } from '@/lib/monitoring/health-state';

const T = { downAfter: 3, upAfter: 2 };

/** Feeds a string of polls ('+' ok, '-' failed) and returns the status after each. */
function run(polls: string, thresholds = T, from: HealthState = initialHealth) {
  let s = from;
  const changes: number[] = [];
  [...polls].forEach((p, i) => {
    const n = nextStatus(s, p === '+', thresholds);
    if (n.changed) changes.push(i);
    s = { status: n.status, failures: n.failures, successes: n.successes };
  });
  return { final: s, changes };
}

describe('nextStatus', () => {
  it.each([
    // polls,        final status, index of each change
    ['+', 'up', [0]],
    ['-', 'unknown', []],
    ['---', 'down', [2]],
    ['--+', 'up', [2]],
    ['+--', 'up', [0]],
    ['+---', 'down', [0, 3]],
    ['+---+', 'down', [0, 3]],
    ['+---++', 'up', [0, 3, 5]],
    ['+---+-+', 'down', [0, 3]], // a lone success does not bring it back
    ['+--+--', 'up', [0]], // failures must be consecutive
    ['+---++---', 'down', [0, 3, 5, 8]],
  ])('%s → %s', (polls, status, changes) => {
    const r = run(polls);
    expect(r.final.status).toBe(status);
    expect(r.changes).toEqual(changes);
  });

  it('counts consecutive failures and successes', () => {
    expect(run('+---').final).toEqual({ status: 'down', failures: 3, successes: 0 });
    expect(run('+---+').final).toEqual({ status: 'down', failures: 0, successes: 1 });
    expect(run('++++').final).toEqual({ status: 'up', failures: 0, successes: 4 });
  });

  it('with 1/1 thresholds follows every poll', () => {
    expect(run('+-+-', { downAfter: 1, upAfter: 1 }).changes).toEqual([0, 1, 2, 3]);
  });

  it('treats nonsense thresholds as 1', () => {
    expect(nextStatus(initialHealth, false, { downAfter: 0, upAfter: -5 }).status).toBe('down');
  });

  it('does not mutate the previous state', () => {
    const prev = { status: 'up' as const, failures: 0, successes: 1 };
    nextStatus(prev, false, T);
    expect(prev).toEqual({ status: 'up', failures: 0, successes: 1 });
  });
});
