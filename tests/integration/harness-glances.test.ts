import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { requireGlances, startGlances, type GlancesInstance } from '../support/glances';
import { pidAlive } from '../support/process';
import { httpRequest } from '../support/wait';

describe.skipIf(!requireGlances())('harness: real Glances 3.3.1', () => {
  let glances: GlancesInstance;

  beforeAll(async () => {
    const t0 = Date.now();
    glances = await startGlances();
    console.log(`[harness] glances ready in ${Date.now() - t0} ms on port ${glances.port}`);
  });

  afterAll(async () => {
    await glances?.stop();
  });

  it('serves API v3 plugin JSON', async () => {
    const cpu = await httpRequest(`${glances.apiUrl}/cpu`);
    expect(cpu.status).toBe(200);
    const body = JSON.parse(cpu.body);
    expect(typeof body.total).toBe('number');
    expect(body.cpucore).toBeGreaterThan(0);

    const mem = JSON.parse((await httpRequest(`${glances.apiUrl}/mem`)).body);
    expect(mem.total).toBeGreaterThan(0);
    const fsList = JSON.parse((await httpRequest(`${glances.apiUrl}/fs`)).body);
    expect(Array.isArray(fsList)).toBe(true);
    const load = JSON.parse((await httpRequest(`${glances.apiUrl}/load`)).body);
    expect(load).toHaveProperty('min1');
    const uptime = JSON.parse((await httpRequest(`${glances.apiUrl}/uptime`)).body);
    expect(typeof uptime).toBe('string');
  });

  it('shows its quirks: HTTP/1.0, status 500 with deflate, 400 for an unknown plugin', async () => {
    const ok = await httpRequest(`${glances.apiUrl}/status`, { headers: { 'accept-encoding': 'identity' } });
    expect(ok.status).toBe(200);
    const deflate = await httpRequest(`${glances.apiUrl}/status`, { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(deflate.status).toBe(500);
    const unknown = await httpRequest(`${glances.apiUrl}/nosuchplugin`);
    expect(unknown.status).toBe(400);
    expect(ok.headers.connection ?? 'close').toMatch(/close/i);
  });

  it('supports basic auth through a saved password file', async () => {
    const t0 = Date.now();
    const secured = await startGlances({ auth: { username: 'monitor', password: 's3cret!' } });
    console.log(`[harness] glances with auth ready in ${Date.now() - t0} ms`);
    try {
      const denied = await httpRequest(`${secured.apiUrl}/cpu`);
      expect(denied.status).toBe(401);
      const wrong = await httpRequest(`${secured.apiUrl}/cpu`, {
        headers: { authorization: `Basic ${Buffer.from('monitor:wrong').toString('base64')}` },
      });
      expect(wrong.status).toBe(401);
      const ok = await httpRequest(`${secured.apiUrl}/cpu`, { headers: { authorization: secured.authorization! } });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toHaveProperty('total');
    } finally {
      const { pid, dir } = secured;
      await secured.stop();
      expect(pidAlive(pid)).toBe(false);
      expect(fs.existsSync(dir)).toBe(false);
    }
  });
});
