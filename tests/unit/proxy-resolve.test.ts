import { describe, expect, it } from 'vitest';
import { parseGetentHosts, resolveTargetHosts, targetHostsToResolve } from '@/lib/proxy/resolve-targets';
import type { Upstream } from '@/lib/proxy/types';

const t = (host: string) => ({ host, port: 80, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 });

describe('resolving upstream target names before rendering', () => {
  it('lists host names only, normalised, once each', () => {
    const upstreams: Upstream[] = [
      { id: 'a', name: 'a', method: 'round_robin', targets: [t('B.internal'), t('10.0.0.1'), t('::1'), t('a.internal')] },
      { id: 'b', name: 'b', method: 'round_robin', targets: [t('b.internal'), t('bücher.internal')] },
    ];
    expect(targetHostsToResolve(upstreams)).toEqual(['a.internal', 'b.internal', 'xn--bcher-kva.internal']);
  });

  it('maps failures and timeouts to no addresses instead of throwing', async () => {
    const lookup = async (host: string) => {
      if (host === 'fails') throw new Error('ENOTFOUND');
      if (host === 'hangs') return new Promise<string[]>(() => {});
      return ['10.0.0.2', '10.0.0.1', 'not-an-ip', '10.0.0.1'];
    };
    expect(await resolveTargetHosts(['ok', 'fails', 'hangs'], lookup, 50)).toEqual({ ok: ['10.0.0.1', '10.0.0.2'], fails: [], hangs: [] });
  });

  it('reads getent ahosts output (for resolving on the target server)', () => {
    const out = '10.0.0.5      STREAM app.internal\n10.0.0.5      DGRAM  \n10.0.0.5      RAW    \nfd00::5       STREAM \n';
    expect(parseGetentHosts(out)).toEqual(['10.0.0.5', 'fd00::5']);
    expect(parseGetentHosts('')).toEqual([]);
  });
});
