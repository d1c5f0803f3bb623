import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, hostKeyFingerprintSchema, keyAlgorithmOf, normalizeFingerprint } from '@/lib/ssh/host-key';
import { sudoFailure, sudoWrap } from '@/lib/ssh/sudo';
import { killGroupScript, wrapCommand } from '@/lib/ssh/exec';
import { lineSplitter } from '@/lib/ssh/lines';
import {
  HostKeyMismatchError,
  scrub,
  SshAuthError,
  SshCommandTimeoutError,
  SshConnectError,
  SudoNotAllowedError,
  SudoPasswordRequiredError,
} from '@/lib/ssh/errors';

// Generated with ssh-keygen; the fingerprints are what `ssh-keygen -lf` printed for them.
const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIGBKloTAsMugHCCMOEGv3L0W8taf1mZsuAzxVrZpNnbd';
const ED25519_FP = 'SHA256:ugFw2B4Pf8PPj9jIfOLM2NYS/t+mVZdly1BHsbmDs2w';
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC3CPje70CZ13FTYGG90fQH4wxKv3x9eYDUHlWxQnERFaJsQ++mM1yIx34o/2S7XzTdRHhkxiwc4rmsNoOZihYe30ld/2AhKvownkWtte+dnhcruEwfKVOaHmqMoHqcmf224pEO0R+Ac/v8RBHxtmQZGRNuhmnWuRfAKjlAh/8c0w==';
const RSA_FP = 'SHA256:1XXHBxdUNxKvMst0OUTYD1suSb7HFRSoqdDKHXfj3ug';

describe('host key fingerprints', () => {
  it('match OpenSSH (SHA-256, base64 without padding)', () => {
    expect(fingerprintOf(Buffer.from(ED25519, 'base64'))).toBe(ED25519_FP);
    expect(fingerprintOf(Buffer.from(RSA, 'base64'))).toBe(RSA_FP);
    expect(hostKeyFingerprintSchema.safeParse(ED25519_FP).success).toBe(true);
  });

  it('name the key algorithm', () => {
    expect(keyAlgorithmOf(Buffer.from(ED25519, 'base64'))).toBe('ssh-ed25519');
    expect(keyAlgorithmOf(Buffer.from(RSA, 'base64'))).toBe('ssh-rsa');
    expect(keyAlgorithmOf(Buffer.from([0, 0]))).toBe('unknown');
  });

  it('normalize what an admin pastes', () => {
    expect(normalizeFingerprint(`  ${ED25519_FP}=  `)).toBe(ED25519_FP);
    expect(normalizeFingerprint(ED25519_FP.slice('SHA256:'.length))).toBe(ED25519_FP);
    expect(normalizeFingerprint('MD5:aa:bb')).toBeNull();
    expect(normalizeFingerprint('SHA256:short')).toBeNull();
  });
});

describe('sudo', () => {
  it('wraps in sudo -n sh -c with the command as one quoted word', () => {
    expect(sudoWrap("echo 'hi'")).toBe("LC_ALL=C sudo -n sh -c 'echo '\\''hi'\\'''");
  });

  it('recognises sudo refusing, and only that', () => {
    const detail = 'deploy@h:22';
    expect(sudoFailure({ code: 1, stderr: 'sudo: a password is required\n' }, detail)).toBeInstanceOf(SudoPasswordRequiredError);
    expect(sudoFailure({ code: 1, stderr: 'sudo: a terminal is required to read the password\n' }, detail)).toBeInstanceOf(SudoPasswordRequiredError);
    expect(sudoFailure({ code: 1, stderr: 'sudo: sorry, you must have a tty to run sudo\n' }, detail)).toBeInstanceOf(SudoPasswordRequiredError);
    expect(sudoFailure({ code: 1, stderr: 'deploy is not in the sudoers file.\nsudo: deploy is not in the sudoers file.  This incident will be reported.\n' }, detail)).toBeInstanceOf(SudoNotAllowedError);
    expect(sudoFailure({ code: 127, stderr: 'sh: 1: sudo: not found\n' }, detail)).toBeInstanceOf(SudoNotAllowedError);
    expect(sudoFailure({ code: 1, stderr: 'grep: no match\n' }, detail)).toBeNull();
    expect(sudoFailure({ code: 0, stderr: 'sudo: a password is required\n' }, detail)).toBeNull();
  });
});

describe('typed errors', () => {
  it('user-facing messages name neither host nor secret; detail may name the host', () => {
    const errors = [
      new SshConnectError('refused', 'root@10.0.0.5:22: connect ECONNREFUSED 10.0.0.5:22'),
      new SshConnectError('timeout'),
      new SshAuthError('rejected', 'x'),
      new SshAuthError('key_unreadable'),
      new HostKeyMismatchError(ED25519_FP, RSA_FP),
      new SudoPasswordRequiredError(),
      new SshCommandTimeoutError(120_000),
    ];
    for (const e of errors) {
      expect(e.message).not.toMatch(/10\.0\.0\.5|root@/);
      expect(e.code).toMatch(/^[a-z_]+$/);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(errors[0].detail).toContain('10.0.0.5');
    expect(new SshCommandTimeoutError(120_000).message).toContain('120 s');
  });

  it('scrub removes secrets from library text', () => {
    expect(scrub('bad password hunter22 for x', ['hunter22', undefined])).toBe('bad password [redacted] for x');
  });
});

describe('command wrapper (run by the real /bin/sh, as a login shell would)', () => {
  const sh = (line: string) => spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });

  it('prints the start marker and PID first, then runs the command under /bin/sh', () => {
    const r = sh(wrapCommand('echo "$0"; echo err >&2; exit 3'));
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('\u001eGH-START\u001e/bin/sh\n');
    expect(r.stderr).toMatch(/^\u001eGH-PID \d+\u001eerr\n$/);
  });

  it('a syntax error in the command still lets the markers out', () => {
    const r = sh(wrapCommand("echo 'unterminated"));
    expect(r.stdout).toBe('\u001eGH-START\u001e');
    expect(r.status).not.toBe(0);
  });

  it('the kill script is valid sh and tolerates a group that is already gone', () => {
    expect(spawnSync('/bin/sh', ['-n', '-c', killGroupScript(12345)]).status).toBe(0);
    // A PID far above pid_max: "no such process", so the script ends at once with 0.
    expect(execFileSync('/bin/sh', ['-c', killGroupScript(2 ** 30)], { encoding: 'utf8' })).toBe('');
  });
});

describe('lineSplitter', () => {
  it('rejoins lines split across chunks and strips CR', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    for (const chunk of ['a', 'b\nc', 'd\r\n\ne', 'f']) s.push(chunk);
    s.flush();
    expect(lines).toEqual(['ab', 'cd', '', 'ef']);
  });
});
