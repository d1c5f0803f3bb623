import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection, SshTarget } from '@/lib/ssh/client';
import { HostKeyMismatchError, SshConnectError, SshConnectionLostError } from '@/lib/ssh/errors';
import { SshPool } from '@/lib/ssh/pool';
import { startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { waitFor } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'useradd');

describe.skipIf(!enabled)('ssh connection pool', () => {
  let sshd: SshdInstance;
  const pools: SshPool[] = [];

  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }, { name: 'deploy', password: 'pool-pass' }] });
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    await sshd?.stop();
  });

  function pool(idleMs = 60_000): SshPool {
    const p = new SshPool({ idleMs });
    pools.push(p);
    return p;
  }
  function rootTarget(over: Partial<SshTarget> = {}): SshTarget {
    const u = sshd.user('root');
    return { host: sshd.host, port: sshd.port, username: 'root', auth: { type: 'key', privateKey: u.privateKey! }, hostKeyFingerprint: sshd.hostKeyFingerprint, ...over };
  }

  it('20 sequential commands cost one handshake', async () => {
    const p = pool();
    for (let i = 0; i < 20; i++) {
      const out = await p.withConnection('s1', rootTarget(), (c) => c.exec(`echo ${i}`));
      expect(out.stdout).toBe(`${i}\n`);
    }
    expect(p.stats()).toMatchObject({ handshakes: 1, reuses: 19, open: 1 });
  });

  it('20 concurrent callers share the in-flight connect (and the channel limit queues them)', async () => {
    const p = pool();
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => p.withConnection('s1', rootTarget(), (c) => c.exec(`echo ${i}`))),
    );
    expect(outs.map((o) => o.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(p.stats()).toMatchObject({ handshakes: 1, open: 1 });
  });

  it('different servers get different connections', async () => {
    const p = pool();
    await p.withConnection('a', rootTarget(), (c) => c.exec('true'));
    await p.withConnection('b', rootTarget(), (c) => c.exec('true'));
    expect(p.stats()).toMatchObject({ handshakes: 2, open: 2 });
  });

  it('changed credentials replace the pooled connection', async () => {
    const p = pool();
    const deploy = sshd.user('deploy');
    const asRoot = await p.withConnection('s', rootTarget(), (c) => c.exec('whoami'));
    const asDeploy = await p.withConnection(
      's',
      rootTarget({ username: deploy.username, auth: { type: 'password', password: deploy.password! } }),
      (c) => c.exec('whoami'),
    );
    expect([asRoot.stdout.trim(), asDeploy.stdout.trim()]).toEqual(['root', deploy.username]);
    expect(p.stats()).toMatchObject({ handshakes: 2, open: 1 });
  });

  it('pinning the fingerprint a TOFU connection saw keeps the connection', async () => {
    const p = pool();
    const seen = await p.withConnection('s', rootTarget({ hostKeyFingerprint: null }), async (c) => c.hostKey);
    expect(seen.matchedPin).toBe(false);
    await p.withConnection('s', rootTarget({ hostKeyFingerprint: seen.fingerprint }), (c) => c.exec('true'));
    expect(p.stats().handshakes).toBe(1);
  });

  it('pinning a different fingerprint drops the connection and fails with HostKeyMismatchError', async () => {
    const p = pool();
    await p.withConnection('s', rootTarget({ hostKeyFingerprint: null }), (c) => c.exec('true'));
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const err = await p.withConnection('s', rootTarget({ hostKeyFingerprint: wrong }), (c) => c.exec('true')).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(p.stats()).toMatchObject({ handshakes: 1, failedHandshakes: 1, open: 0 });
  });

  it('an idle connection is closed after the idle timeout; the next call reconnects', async () => {
    const p = pool(150);
    let first: SshConnection | undefined;
    await p.withConnection('s', rootTarget(), async (c) => {
      first = c;
    });
    await waitFor(() => first!.closed, { timeoutMs: 5000, description: 'idle connection closed' });
    expect(p.stats().open).toBe(0);
    await p.withConnection('s', rootTarget(), (c) => c.exec('true'));
    expect(p.stats().handshakes).toBe(2);
  });

  it('a connection the server drops is forgotten; the next call reconnects', async () => {
    const p = pool();
    // Kill this session's sshd process (the parent of the command shell, our parent): the server
    // side of the connection goes away.
    const err = await p
      .withConnection('s', rootTarget(), (c) => c.exec('kill -KILL "$(cut -d" " -f4 /proc/$PPID/stat)"; sleep 5'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(SshConnectionLostError);
    await waitFor(() => p.stats().open === 0, { timeoutMs: 5000, description: 'dropped connection forgotten' });
    expect((await p.withConnection('s', rootTarget(), (c) => c.exec('echo back'))).stdout).toBe('back\n');
    expect(p.stats().handshakes).toBe(2);
  });

  it('a failed connect is not cached', async () => {
    const p = pool();
    const port = await freePort();
    const err = await p.withConnection('s', rootTarget({ port }), (c) => c.exec('true')).catch((e) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    await p.withConnection('s', rootTarget(), (c) => c.exec('true'));
    expect(p.stats()).toMatchObject({ handshakes: 1, failedHandshakes: 1 });
  });

  it('closeAll closes every connection', async () => {
    const p = pool();
    const conns: SshConnection[] = [];
    for (const id of ['x', 'y']) await p.withConnection(id, rootTarget(), async (c) => void conns.push(c));
    await p.closeAll();
    expect(conns.every((c) => c.closed)).toBe(true);
    expect(p.stats().open).toBe(0);
  });
});
