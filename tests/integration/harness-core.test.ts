import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, freePorts, freeTcpUdpPort } from '../support/ports';
import { waitFor, waitForHttp, waitForPort } from '../support/wait';
import { haveBinary, makeTempDir, pidAlive, requireBinary, spawnManaged } from '../support/process';
import { startHttpUpstream } from '../support/upstream';

const repoRoot = path.resolve(__dirname, '..', '..');

describe('harness: ports, waiting, binaries', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('hands out free ports that can be bound', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    server.close();
    const many = await freePorts(5);
    expect(new Set(many).size).toBe(5);
    expect(await freeTcpUdpPort()).toBeGreaterThan(1024);
  });

  it('waitFor polls until truthy, and times out with the last error', async () => {
    let n = 0;
    expect(await waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 50, intervalMs: 5, description: 'the impossible' },
      ),
    ).rejects.toThrow(/the impossible not met within 50 ms .*not yet/);
    await expect(waitFor(() => false, { timeoutMs: 50, abortIf: () => { throw new Error('child died'); } })).rejects.toThrow('child died');
  });

  it('waitForPort and waitForHttp see a server come up', async () => {
    const port = await freePort();
    const pending = waitForPort('127.0.0.1', port, { timeoutMs: 5000 });
    const pendingHttp = waitForHttp(`http://127.0.0.1:${port}/x`, { timeoutMs: 5000 });
    const up = await startHttpUpstream({ name: 'late', port });
    await pending;
    const res = await pendingHttp;
    expect(JSON.parse(res.body).upstream).toBe('late');
    await up.stop();
  });

  it('requireBinary: true when present; prints and skips on a dev machine; throws under CI', () => {
    expect(haveBinary('sh')).toBe(true);
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requireBinary('sh')).toBe(true);
    expect(requireBinary('gatehouse-no-such-binary')).toBe(false);
    expect(warn.mock.calls[0][0]).toMatch(/skipping: missing gatehouse-no-such-binary.*install-test-deps\.sh/);
    warn.mockRestore();
    vi.stubEnv('CI', 'true');
    expect(() => requireBinary('gatehouse-no-such-binary')).toThrow(/CI=true.*gatehouse-no-such-binary/);
  });
});

describe('harness: nothing is left behind', () => {
  it('stop() kills by PID and removes the temp dir', async () => {
    const tmp = makeTempDir('core');
    const p = spawnManaged('sleep', ['300'], { name: 'sleeper', logFile: path.join(tmp.path, 'log') });
    expect(pidAlive(p.pid)).toBe(true);
    await p.stop();
    expect(pidAlive(p.pid)).toBe(false);
    tmp.remove();
    expect(fs.existsSync(tmp.path)).toBe(false);
  });

  for (const how of ['exit', 'SIGTERM', 'SIGKILL'] as const) {
    it(`a test process that ends by ${how} takes its children and temp dirs with it`, async () => {
      const script = path.join(os.tmpdir(), `gatehouse-core-child-${process.pid}-${how}.ts`);
      fs.writeFileSync(
        script,
        `import { makeTempDir, spawnManaged } from ${JSON.stringify(path.join(repoRoot, 'tests/support/process.ts'))};
const tmp = makeTempDir('orphan');
const p = spawnManaged('sleep', ['300'], { name: 'sleeper', logFile: tmp.path + '/log' });
process.stdout.write(JSON.stringify({ pid: p.pid, dir: tmp.path }) + '\\n');
${how === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}
`,
      );
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        const info = await waitFor(() => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]) as { pid: number; dir: string }) : null), {
          timeoutMs: 20_000,
          description: 'child harness process reporting its sleeper',
        });
        expect(pidAlive(info.pid)).toBe(true);
        if (how !== 'exit') child.kill(how);
        await waitFor(() => !pidAlive(info.pid) && !fs.existsSync(info.dir), {
          timeoutMs: 10_000,
          description: `sleeper ${info.pid} killed and ${info.dir} removed after ${how}`,
        });
      } finally {
        fs.rmSync(script, { force: true });
      }
    });
  }
});
