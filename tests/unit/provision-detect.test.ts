import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectScript, parseDetectOutput } from '@/lib/provision/detect';

describe('parseDetectOutput', () => {
  it('a fresh Alpine box logged in as a user whose sudo wants a password', () => {
    const out = [
      '@@os-release',
      'NAME="Alpine Linux"',
      'ID=alpine',
      'VERSION_ID=3.20.3',
      'PRETTY_NAME="Alpine Linux v3.20"',
      '@@uid',
      '1000',
      '@@sudo',
      'password-required',
      '@@nginx',
      'missing',
      '@@nginx-running',
      'no',
      '@@init',
      'openrc',
      '@@glances',
      'missing',
      '@@end',
      '',
    ].join('\n');
    expect(parseDetectOutput(out)).toEqual({
      os: { id: 'alpine', idLike: [], name: 'Alpine Linux', version: '3.20.3', prettyName: 'Alpine Linux v3.20', family: 'alpine' },
      uid: 1000,
      sudo: 'password-required',
      canRunPrivileged: false,
      init: 'openrc',
      nginx: { installed: false, version: null, running: false },
      glances: { installed: false, version: null },
    });
  });

  it('a configured Ubuntu server (root, systemd, nginx and Glances 4 running)', () => {
    const out = '@@os-release\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n@@uid\n0\n@@sudo\nroot\n@@nginx\nnginx version: nginx/1.24.0 (Ubuntu)\n@@nginx-running\nyes\n@@init\nsystemd\n@@glances\nGlances version:       4.1.2\n@@end\n';
    expect(parseDetectOutput(out)).toMatchObject({
      os: { family: 'debian', version: '24.04' },
      uid: 0,
      sudo: 'root',
      canRunPrivileged: true,
      init: 'systemd',
      nginx: { installed: true, version: '1.24.0', running: true },
      glances: { installed: true, version: '4.1.2' },
    });
  });

  it('truncated or garbled output degrades to "unknown", never throws', () => {
    expect(parseDetectOutput('')).toEqual({
      os: null,
      uid: -1,
      sudo: 'missing',
      canRunPrivileged: false,
      init: 'none',
      nginx: { installed: false, version: null, running: false },
      glances: { installed: false, version: null },
    });
  });
});

describe('detectScript', () => {
  it('runs under the real /bin/sh here and parses into what this machine is', () => {
    const report = parseDetectOutput(execFileSync('/bin/sh', ['-c', detectScript()], { encoding: 'utf8' }));
    const osRelease = fs.readFileSync('/etc/os-release', 'utf8');
    expect(report.os?.id).toBe(osRelease.match(/^ID=(.*)$/m)?.[1]?.replace(/"/g, ''));
    expect(report.uid).toBe(process.getuid!());
    expect(['root', 'nopasswd', 'password-required', 'missing']).toContain(report.sudo);
    expect(report.init).toBe(fs.existsSync('/run/systemd/system') ? 'systemd' : report.init);
  });
});
