import { describe, expect, it, vi } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { asUnavailable, isDatabaseUnavailable, retryWhileUnavailable } from '@/lib/db/unavailable';
import { toErrorResponse } from '@/lib/http/errors';
import { failureState } from '@/lib/http/action';
import { UnavailableError } from '@/lib/errors';

const coded = (code: string, message = 'driver says no') => Object.assign(new Error(message), { code });

describe('database outages → 503 unavailable', () => {
  it.each([
    'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN',
    'ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
    '57P01', '57P02', '57P03', '53100', '08006', '08001', '08P01', '25006',
  ])('%s is an outage, also wrapped by drizzle', (code) => {
    expect(isDatabaseUnavailable(coded(code))).toBe(true);
    expect(asUnavailable(new DrizzleQueryError('insert …', [], coded(code)))?.reason).toBe(code);
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_MISMATCH', '23505', '42P01', '22P02', '57014', 'ENOENT'])('%s is not', (code) => {
    expect(isDatabaseUnavailable(coded(code))).toBe(false);
    expect(isDatabaseUnavailable(new Error('plain'))).toBe(false);
  });

  it('answers 503 with the plain message and logs one line without a stack', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const r = toErrorResponse(new DrizzleQueryError('insert into x', [], coded('SQLITE_FULL', 'database or disk is full')));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(await r.json()).toEqual({ error: { code: 'unavailable', message: new UnavailableError().message } });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]).toEqual(['[gatehouse] database unavailable (SQLITE_FULL): database or disk is full']);
    } finally {
      log.mockRestore();
    }
  });

  it('retryWhileUnavailable retries outages only, and gives up at the deadline', async () => {
    let calls = 0;
    const sleep = async () => {};
    await expect(retryWhileUnavailable(async () => (++calls < 3 ? Promise.reject(coded('ECONNREFUSED')) : 'ok'), { sleep })).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryWhileUnavailable(async () => (calls++, Promise.reject(coded('23505'))), { sleep })).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
    await expect(retryWhileUnavailable(async () => Promise.reject(coded('57P01')), { sleep, timeoutMs: 0 })).rejects.toMatchObject({ code: '57P01' });
  });

  it('a server action shows the plain message as the form error, keeping what was typed', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const form = new FormData();
      form.set('name', 'web-1');
      form.set('password', 'secret-1');
      const state = failureState(coded('CONNECTION_CLOSED', 'write CONNECTION_CLOSED 127.0.0.1:5432'), form);
      expect(state).toMatchObject({ ok: false, message: new UnavailableError().message, values: { name: 'web-1' } });
      expect(state.values).not.toHaveProperty('password');
      expect(log.mock.calls).toEqual([['[gatehouse] database unavailable (CONNECTION_CLOSED): write CONNECTION_CLOSED 127.0.0.1:5432']]);
    } finally {
      log.mockRestore();
    }
  });
});
