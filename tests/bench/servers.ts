import net from 'node:net';
import { Client } from 'ssh2';
import { median, ms, percentile } from './stats';

const SERVERS = 50;
const ROUNDS = 60;

/**
 * Issue #3: connection tests of 50 servers at once (50 server records against one real sshd on
 * loopback, through the task queue with 50 runners), the SSH handshakes that cost, and the latency
 * of one command on an open pooled connection beside the floor: bare ssh2 on the same sshd.
 */
export async function run() {
  // Read when lib/tasks/runner loads: 50 tasks may run at once (the default is 4).
  process.env.GATEHOUSE_TASK_CONCURRENCY = String(SERVERS);
  process.env.GATEHOUSE_TASK_RUNNER = 'off';
  const { startSshd } = await import('../support/sshd');
  const { openTestDb } = await import('../support/test-db');
  const { cliActor } = await import('@/lib/access/actor');
  const { createServer } = await import('@/lib/servers/service');
  const { serverTaskHandlers, startConnectionTest } = await import('@/lib/servers/tasks');
  const { withServer } = await import('@/lib/servers/connection');
  const { getSshPool } = await import('@/lib/ssh/pool');
  const { drainTasks, registerTaskHandlers } = await import('@/lib/tasks/runner');
  const { getDb } = await import('@/lib/db');

  // `plain` logs in with /bin/sh: the floor without this machine's root .bashrc (0.28 s per bash start).
  const sshd = await startSshd({ users: [{ name: 'root' }, { name: 'plain', shell: '/bin/sh', sudo: 'nopasswd' }] });
  const tdb = await openTestDb('sqlite');
  try {
    registerTaskHandlers(serverTaskHandlers);
    const root = sshd.user('root');
    const ids: string[] = [];
    for (let i = 0; i < SERVERS; i++) {
      const s = await createServer(cliActor, { name: `bench-${i}`, host: sshd.host, sshPort: sshd.port, authMethod: 'key', privateKey: root.privateKey });
      ids.push(s.id);
    }
    const pool = getSshPool();

    const round = async (label: string) => {
      const before = pool.stats();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const id of ids) await startConnectionTest(cliActor, id);
      await drainTasks(300_000);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const after = pool.stats();
      const { db, t } = getDb();
      const rows = await db.select({ status: t.tasks.status }).from(t.tasks);
      const ok = rows.filter((r) => r.status === 'succeeded').length;
      console.log(
        `${label}: ${SERVERS} connection tests at once in ${ms(wall)} wall (${ms(wall / SERVERS)} per server); ` +
          `${after.handshakes - before.handshakes} SSH handshakes, ${after.reuses - before.reuses} reuses; ${ok}/${rows.length} tasks succeeded so far; ` +
          `Gatehouse's own CPU ${ms(cpuMs)} (${ms(cpuMs / SERVERS)} per server; the rest is the 50 "servers" sharing this machine's 2 cores with it)`,
      );
    };
    await round('first run (pins 50 host keys)');
    await round('second run (keys pinned; a test always handshakes anew)');

    // One command on an open pooled connection: withServer (row read, pool, command shell) + exec.
    const plain = sshd.user('plain');
    const plainId = (await createServer(cliActor, { name: 'bench-plain', host: sshd.host, sshPort: sshd.port, sshUser: plain.username, authMethod: 'key', privateKey: plain.privateKey })).id;
    const latency = async (serverId: string) => {
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        await withServer(serverId, (conn) => conn.exec('true'));
        times.push(performance.now() - t0);
      }
      return times.slice(5);
    };
    const asRoot = await latency(ids[0]);
    const asPlain = await latency(plainId);
    const floorPlain = await bareFloor(sshd.host, sshd.port, plain.username, plain.privateKey!);
    const floorRoot = await bareFloor(sshd.host, sshd.port, 'root', root.privateKey!);
    console.log(
      `one command on an open connection (median, p95): withServer + exec ${ms(median(asPlain))}, ${ms(percentile(asPlain, 95))} as a /bin/sh user; ` +
        `${ms(median(asRoot))}, ${ms(percentile(asRoot, 95))} as root (bash + .bashrc)`,
    );
    console.log(
      `floor, bare ssh2 exec channel with TCP_NODELAY on the same sshd: ${ms(floorPlain)} as the /bin/sh user (ours is ${(median(asPlain) / floorPlain).toFixed(2)}× that: the command shell skips a channel open per command), ` +
        `${ms(floorRoot)} as root (its .bashrc runs on every exec); PERFORMANCE.md floor: 12.7 ms`,
    );
    console.log(`pool: ${JSON.stringify(pool.stats())}`);
    await pool.closeAll();
  } finally {
    await tdb.close();
    await sshd.stop();
  }
}

/** The floor: a bare ssh2 client, TCP_NODELAY, one `exec` channel per command, median of ROUNDS. */
async function bareFloor(host: string, port: number, username: string, privateKey: string): Promise<number> {
  const sock = net.connect({ host, port, noDelay: true });
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve()).once('error', reject);
    client.connect({ sock, username, privateKey });
  });
  const exec = () =>
    new Promise<void>((resolve, reject) => {
      client.exec('true', (err, ch) => {
        if (err) return reject(err);
        ch.on('close', () => resolve()).resume();
        ch.stderr.resume();
      });
    });
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await exec();
    times.push(performance.now() - t0);
  }
  client.end();
  return median(times.slice(5));
}
