import { describe, expect, it } from 'vitest';
import { GlancesError } from '@/lib/glances/http';
import { parseUptime, readFs, readLoad, readNetwork, readQuicklook, readSystem } from '@/lib/glances/shapes';

describe('parseUptime', () => {
  it.each([
    ['0:06:10', 370],
    ['1 day, 0:00:01', 86401],
    ['3 days, 4:05:06', 3 * 86400 + 4 * 3600 + 5 * 60 + 6],
    ['6 days, 22:22:01', 6 * 86400 + 22 * 3600 + 22 * 60 + 1],
    ['400 days, 23:59:59', 400 * 86400 + 86399],
    ['2:03:04.123456', 7384],
    [12345.6, 12345],
    [{ seconds: 42 }, 42],
  ])('%j → %d s', (raw, seconds) => {
    expect(parseUptime(raw)).toBe(seconds);
  });

  it.each([['soon'], [''], [null], [-1], ['3 weeks, 1:00:00']])('%j → undefined', (raw) => {
    expect(parseUptime(raw)).toBeUndefined();
  });
});

describe('readNetwork', () => {
  const nic = (name: string, v: Record<string, unknown>) => ({ interface_name: name, key: 'interface_name', ...v });

  it('v3 and early 4.0: rx/tx are bytes since the last refresh', () => {
    expect(readNetwork([nic('eth0', { rx: 3000, tx: 600, time_since_update: 3 }), nic('lo', { rx: 9e9, tx: 9e9, time_since_update: 3 })])).toEqual({ netRx: 1000, netTx: 200 });
  });

  it('4.x without rates: bytes_recv/bytes_sent over time_since_update', () => {
    expect(readNetwork([nic('wlp0s20f3', { bytes_recv: 500, bytes_sent: 250, bytes_recv_gauge: 1e9, time_since_update: 0.5 })])).toEqual({ netRx: 1000, netTx: 500 });
  });

  it('recent 4.x: the *_rate_per_sec fields win', () => {
    expect(readNetwork([nic('eth0', { bytes_recv: 1, bytes_recv_rate_per_sec: 4000, bytes_sent_rate_per_sec: 40, time_since_update: 1 })])).toEqual({ netRx: 4000, netTx: 40 });
  });

  it('sums real interfaces and skips loopback, veths, Docker bridges and ifb mirrors', () => {
    const rate = { bytes_recv_rate_per_sec: 100, bytes_sent_rate_per_sec: 10 };
    const names = ['eth0', 'ens18', 'lo', 'lo0', 'veth620fda1', 'docker0', 'br-3f2a9c8d7e6b', 'ifb0', 'wg0', 'br0'];
    expect(readNetwork(names.map((n) => nic(n, rate)))).toEqual({ netRx: 400, netTx: 40 });
  });

  it('a zero time_since_update gives 0, not Infinity', () => {
    expect(readNetwork([nic('eth0', { rx: 10, tx: 10, time_since_update: 0 })])).toEqual({ netRx: 0, netTx: 0 });
  });
});

describe('readFs', () => {
  it('keeps real mounts, sorted, and reports the fullest', () => {
    const r = readFs([
      { mnt_point: '/var', fs_type: 'xfs', device_name: '/dev/sdb1', percent: 91.5 },
      { mnt_point: '/', fs_type: 'ext4', device_name: '/dev/sda1', percent: 40 },
      { mnt_point: '/run', fs_type: 'tmpfs', device_name: 'tmpfs', percent: 99 },
      { mnt_point: '/snap/lxd/1', fs_type: 'squashfs', device_name: '/dev/loop3', percent: 100 },
      { mnt_point: '/var/lib/docker/overlay2/x/merged', fs_type: 'overlay', device_name: 'overlay', percent: 88 },
      { mnt_point: '/broken', fs_type: 'ext4', percent: null },
    ]);
    expect(r).toEqual({ disk: 91.5, disks: [{ mount: '/', percent: 40 }, { mount: '/var', percent: 91.5 }] });
  });

  it('no real mounts: disk is null', () => {
    expect(readFs([])).toEqual({ disk: null, disks: [] });
  });
});

describe('required shapes', () => {
  it('quicklook and load need their numbers', () => {
    expect(readQuicklook({ cpu: 1, mem: 2 })).toEqual({ cpu: 1, memory: 2, swap: 0 });
    expect(() => readQuicklook({ cpu: 'x', mem: 2 })).toThrow(GlancesError);
    expect(() => readQuicklook([])).toThrow(/unexpected 'quicklook'/);
    expect(() => readLoad({ min1: 1, min5: 2 })).toThrow(GlancesError);
    expect(() => readFs({})).toThrow(GlancesError);
  });

  it('system: hr_name, then distro, then os name and version', () => {
    expect(readSystem({ hostname: 'h', hr_name: 'Debian GNU/Linux 12 64bit' })).toEqual({ hostname: 'h', os: 'Debian GNU/Linux 12 64bit' });
    expect(readSystem({ hostname: 'h', linux_distro: 'Alpine 3.20' })).toEqual({ hostname: 'h', os: 'Alpine 3.20' });
    expect(readSystem({ os_name: 'FreeBSD', os_version: '14.1' })).toEqual({ hostname: undefined, os: 'FreeBSD 14.1' });
  });
});
