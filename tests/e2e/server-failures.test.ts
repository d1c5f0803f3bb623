import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../support/app-server';
import { ADMIN } from '../support/e2e';
import { freePort } from '../support/ports';
import { generateKeyPair } from '../support/sshd';
import { waitFor } from '../support/wait';

/**
 * Issue 14 item 1 in the built app, where Next.js bundles lib/ once per layer: the connection
 * test runs as a task started from instrumentation, so the process-wide SSH pool is made by that
 * layer's copy of lib and throws its error classes; the drift route (another copy) used to miss
 * them with `instanceof` and answer 500 "unhandled API error: The SSH port refused the
 * connection". Now: 200 `state: "unreachable"`, and no stack in any body or log line for it.
 */
describe('a server whose SSH port refuses, in the built app', () => {
  let app: AppServer | undefined;
  afterAll(async () => app?.stop());

  it('test task fails plainly; drift answers 200 unreachable; nothing is a 500', async () => {
    app = await startApp({ SCHEDULER: 'on', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, SSH_CONNECT_TIMEOUT_SECONDS: '2' });
    const csrf = await fetch(`${app.url}/api/auth/csrf`);
    let cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signIn = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, csrfToken, callbackUrl: `${app.url}/` }),
    });
    cookie = [cookie, ...signIn.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${app!.url}/api/v1${path}`, {
        method,
        headers: { cookie, origin: app!.url, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, text, body: text ? JSON.parse(text) : null };
    };

    const refusedPort = await freePort();
    const created = await call('POST', '/servers', {
      name: 'refuses', host: '127.0.0.1', sshPort: refusedPort, authMethod: 'key', privateKey: (await generateKeyPair()).privateKey, monitoringEnabled: false,
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;

    const test = await call('POST', `/servers/${id}/test`);
    expect(test.status, test.text).toBe(202);
    const task = await waitFor(
      async () => {
        const t = await call('GET', `/tasks/${test.body.taskId}`);
        return ['failed', 'succeeded'].includes(t.body?.status) ? t.body : null;
      },
      { timeoutMs: 60_000, description: 'the connection test to finish' },
    );
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/refused the connection/);

    for (let i = 0; i < 3; i++) {
      const drift = await call('GET', `/servers/${id}/drift`);
      expect(drift.status, drift.text).toBe(200);
      expect(drift.body).toMatchObject({ state: 'unreachable', reason: 'refused' });
      expect(drift.text).not.toMatch(/\n\s+at |internal_error/);
    }
    expect((await call('GET', `/servers/${id}/config`)).status).toBe(200);
    expect(app.logs()).not.toMatch(/unhandled API error/);
  });
});
