import { describe, expect, it, vi } from 'vitest';
import { AppError, NotFoundError, ServerUnreachableError, typedError, UnavailableError } from '@/lib/errors';
import { toErrorResponse } from '@/lib/http/errors';
import { failureState } from '@/lib/http/action';
import {
  HostKeyMismatchError,
  SshAuthError,
  SshCommandTimeoutError,
  SshConnectError,
  SshConnectionLostError,
  SshError,
  SshFileError,
  SudoNotAllowedError,
} from '@/lib/ssh/errors';

async function answer(err: unknown) {
  const r = toErrorResponse(err);
  return { status: r.status, text: await r.clone().text(), body: (await r.json()) as { error: { code: string; message: string; details?: { reason?: string } } } };
}

describe('server and network failures are typed answers, in one place', () => {
  it.each([
    [new SshConnectError('refused', 'root@10.0.0.5:22: connect ECONNREFUSED'), 502, 'server_unreachable', 'refused'],
    [new SshConnectError('unreachable'), 502, 'server_unreachable', 'unreachable'],
    [new SshConnectError('dns'), 502, 'server_unreachable', 'dns'],
    [new SshConnectError('closed'), 502, 'server_unreachable', 'closed'],
    [new SshConnectError('protocol'), 502, 'server_unreachable', 'protocol'],
    [new SshConnectError('timeout'), 504, 'server_timeout', 'timeout'],
    [new SshAuthError('rejected'), 502, 'server_unreachable', 'auth_failed'],
    [new SshAuthError('key_unreadable'), 502, 'server_unreachable', 'key_unreadable'],
    [new HostKeyMismatchError('SHA256:old', 'SHA256:new'), 502, 'server_unreachable', 'host_key_mismatch'],
    [new SshCommandTimeoutError(5000), 504, 'server_timeout', 'command_timeout'],
    [new SshConnectionLostError(), 502, 'server_unreachable', 'connection_lost'],
    [new SshFileError('Could not read the file.'), 502, 'server_unreachable', 'file_error'],
    [new SudoNotAllowedError(), 502, 'server_unreachable', 'sudo_not_allowed'],
  ])('%s → %i %s (%s), plain message, no detail or stack', async (err, status, code, reason) => {
    const r = await answer(err);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.details?.reason).toBe(reason);
    expect(r.body.error.message).toBe((err as SshError).message);
    expect(r.text).not.toMatch(/10\.0\.0\.5|ECONNREFUSED|\bat .*\.ts:\d+/);
  });

  it('a failed fetch (refused, timed out, unresolvable) is 502/504, not a database outage', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:61208'), { code: 'ECONNREFUSED' }) });
    const unresolved = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }) });
    const slow = new TypeError('fetch failed', { cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    const aborted = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect((await answer(refused)).body.error).toMatchObject({ code: 'server_unreachable', details: { reason: 'refused' } });
    expect((await answer(refused)).status).toBe(502);
    expect((await answer(unresolved)).body.error.details?.reason).toBe('dns');
    expect((await answer(slow)).status).toBe(504);
    expect((await answer(aborted)).status).toBe(504);
    expect((await answer(refused)).text).not.toContain('10.0.0.5');
  });

  it('a bare socket code from the database driver stays an outage (503), a plain bug a 500 without a stack', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await answer(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).status).toBe(503);
      const bug = await answer(new Error('undefined is not a function'));
      expect(bug.status).toBe(500);
      expect(bug.body.error.code).toBe('internal_error');
      expect(bug.text).not.toMatch(/undefined is not|\bat /);
    } finally {
      log.mockRestore();
    }
  });

  it('form actions get the same typed message', () => {
    const state = failureState(new SshConnectError('refused'));
    expect(state.ok).toBe(false);
    expect(state.message).toBe(new SshConnectError('refused').message);
  });

  it('typedError keeps AppErrors as they are and knows nothing of other errors', () => {
    const nf = new NotFoundError('Server');
    expect(typedError(nf)).toBe(nf);
    expect(typedError(new UnavailableError())).toBeInstanceOf(UnavailableError);
    expect(typedError(new RangeError('x'))).toBeNull();
    expect(typedError(null)).toBeNull();
    expect(typedError('text')).toBeNull();
    expect(new SshConnectError('timeout').toAppError()).toBeInstanceOf(ServerUnreachableError);
  });
});

/**
 * Next.js bundles lib/ once per layer (instrumentation, route handlers, server actions). The SSH
 * pool is a process-wide singleton: made by one copy, it throws that copy's error classes into
 * routes of another copy. Each test here loads a second copy of the modules, as Next does.
 */
describe('typed errors from another copy of the modules', () => {
  async function secondCopy() {
    vi.resetModules();
    const ssh = await import('@/lib/ssh/errors');
    const errors = await import('@/lib/errors');
    vi.resetModules();
    return { ssh, errors };
  }

  it('are still instances of AppError, SshError and the same subclass (not of another one)', async () => {
    const { ssh, errors } = await secondCopy();
    expect(ssh.SshError).not.toBe(SshError);
    const refused = new ssh.SshConnectError('refused');
    expect(refused).toBeInstanceOf(SshError);
    expect(refused).toBeInstanceOf(SshConnectError);
    expect(refused).not.toBeInstanceOf(SshAuthError);
    expect(new ssh.HostKeyMismatchError('a', 'b')).toBeInstanceOf(HostKeyMismatchError);
    expect(new errors.NotFoundError('Server')).toBeInstanceOf(AppError);
    expect(new Error('x')).not.toBeInstanceOf(SshError);
    expect(new Error('x')).not.toBeInstanceOf(AppError);
  });

  it('answer their typed status instead of a 500', async () => {
    const { ssh, errors } = await secondCopy();
    expect((await answer(new ssh.SshConnectError('refused'))).status).toBe(502);
    expect((await answer(new ssh.SshConnectError('timeout'))).status).toBe(504);
    expect((await answer(new errors.NotFoundError('Server'))).status).toBe(404);
    expect((await answer(new errors.ValidationError({ name: ['Required.'] }))).body.error.code).toBe('validation_failed');
  });
});
