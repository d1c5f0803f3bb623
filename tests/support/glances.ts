/**
 * A real Glances 3.3.1 (Debian) in web-server mode: `glances -w --disable-webui -B 127.0.0.1 -p PORT`,
 * API v3 at http://127.0.0.1:PORT/api/3. HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME point into a temp
 * dir, so its log and password files stay there.
 *
 * Quirks of 3.3.1 worth knowing:
 *  - `/api/3/status` answers 500 when the client accepts `deflate` (Node's fetch does by default);
 *    send `Accept-Encoding: identity`. Readiness here polls `/api/3/cpu`.
 *  - It speaks HTTP/1.0 and closes the connection after every response.
 *  - An unknown plugin answers 400 (an HTML page), not 404.
 *  - Basic auth: `--password` only prompts on a TTY, but Glances reads a saved password file
 *    (<XDG_CONFIG_HOME>/glances/<username>.pwd holding `salt$sha256(salt + sha256hex(password))`)
 *    when started with `-u <username>`. The harness writes that file, so `auth` works.
 *  - Needs python3-bottle (a Recommends of the glances package; scripts/install-test-deps.sh installs it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';
import { waitForHttp } from './wait';
import { HarnessError, looksLikePortClash, makeTempDir, requirePart, resolveBinary, spawnManaged, findBinary, type ManagedProcess } from './process';

export interface GlancesOptions {
  /** Require HTTP basic auth with these credentials. */
  auth?: { username: string; password: string };
  /** Extra command-line arguments, e.g. ['--disable-plugin', 'sensors']. */
  extraArgs?: string[];
}

export interface GlancesInstance {
  host: '127.0.0.1';
  port: number;
  /** http://127.0.0.1:PORT (what a user types as the Glances URL). */
  baseUrl: string;
  /** http://127.0.0.1:PORT/api/3 */
  apiUrl: string;
  auth?: { username: string; password: string };
  /** Authorization header value when auth is on. */
  authorization?: string;
  pid: number;
  dir: string;
  logFile: string;
  stop(): Promise<void>;
}

const BOTTLE_PATHS = ['/usr/lib/python3/dist-packages/bottle.py', '/usr/lib/python3/dist-packages/bottle'];

/** Is Glances usable here (binary and its bottle web module)? */
export function haveGlances(): boolean {
  return findBinary('glances') !== null && BOTTLE_PATHS.some((p) => fs.existsSync(p));
}

/** For describe.skipIf(!requireGlances()): throws under CI, prints and returns false on a dev machine. */
export function requireGlances(): boolean {
  return requirePart(
    haveGlances(),
    'glances (Debian packages glances + python3-bottle) is not installed. Install with: bash scripts/install-test-deps.sh',
  );
}

/** The content Glances 3 expects in <user>.pwd: salt$sha256(salt + sha256hex(password)). */
export function glancesPasswordFile(password: string): string {
  const salt = crypto.randomUUID().replace(/-/g, '');
  const inner = crypto.createHash('sha256').update(password).digest('hex');
  return `${salt}$${crypto.createHash('sha256').update(salt + inner).digest('hex')}`;
}

export async function startGlances(opts: GlancesOptions = {}): Promise<GlancesInstance> {
  const glances = resolveBinary('glances');
  if (!BOTTLE_PATHS.some((p) => fs.existsSync(p))) {
    throw new HarnessError('glances needs python3-bottle for its web server. Install with: bash scripts/install-test-deps.sh');
  }
  const tmp = makeTempDir('glances');
  const dir = tmp.path;
  const configHome = path.join(dir, 'config');
  const cacheHome = path.join(dir, 'cache');
  fs.mkdirSync(path.join(configHome, 'glances'), { recursive: true });
  fs.mkdirSync(path.join(cacheHome, 'glances'), { recursive: true });
  const logFile = path.join(dir, 'glances.out');
  if (opts.auth) {
    if (!/^[A-Za-z0-9_.-]+$/.test(opts.auth.username)) throw new HarnessError('glances auth username must be [A-Za-z0-9_.-]+');
    fs.writeFileSync(path.join(configHome, 'glances', `${opts.auth.username}.pwd`), glancesPasswordFile(opts.auth.password), { mode: 0o600 });
  }
  const authorization = opts.auth
    ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`
    : undefined;
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: configHome, XDG_CACHE_HOME: cacheHome, PYTHONUNBUFFERED: '1' };

  let proc: ManagedProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const args = ['-w', '--disable-webui', '--disable-autodiscover', '-B', '127.0.0.1', '-p', String(port)];
      if (opts.auth) args.push('-u', opts.auth.username);
      args.push(...(opts.extraArgs ?? []));
      const p = spawnManaged(glances, args, { name: 'glances', logFile, env, cwd: dir });
      try {
        await waitForHttp(`http://127.0.0.1:${port}/api/3/cpu`, {
          headers: { 'accept-encoding': 'identity', ...(authorization ? { authorization } : {}) },
          timeoutMs: 30_000,
          intervalMs: 50,
          abortIf: () => p.assertAlive(),
        });
        proc = p;
        break;
      } catch (err) {
        await p.stop();
        if (attempt < 3 && looksLikePortClash(p.logTail())) continue;
        throw new HarnessError(`${(err as Error).message}\nglances output:\n${p.logTail()}`);
      }
    }
  } catch (err) {
    tmp.remove();
    throw err;
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    baseUrl,
    apiUrl: `${baseUrl}/api/3`,
    auth: opts.auth,
    authorization,
    pid: proc.pid,
    dir,
    logFile,
    async stop() {
      await proc!.stop();
      tmp.remove();
    },
  };
}
