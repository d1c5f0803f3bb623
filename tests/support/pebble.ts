/**
 * Let's Encrypt's ACME test server, pebble (Debian package 2.4), on 127.0.0.1 with its own config.
 *
 *   const dns = await startDns({ zones: [{ name: 'example.test', ns: ['ns1.example.test'],
 *                                          records: [{ name: 'app', type: 'A', value: '127.0.0.1' }] }] });
 *   const nginx = await startNginx();
 *   const pebble = await startPebble({ dnsServer: dns.server, httpPort: nginx.port });
 *   pebble.directoryUrl   // https://127.0.0.1:PORT/dir
 *   pebble.caCertPem      // trust this for the ACME API's TLS (acme-client: axios https agent; or NODE_EXTRA_CA_CERTS=pebble.caCertFile)
 *   pebble.rootCaPem      // pebble's issuing root (from the management API /roots/0): verify issued certs with it
 *
 * The Debian package ships no TLS certificate for pebble's own listener, so the harness makes a
 * throwaway CA and a leaf for 127.0.0.1/localhost with openssl. HTTP-01 challenges are fetched from
 * <resolved address of the name>:<httpPort>; names resolve through `dnsServer` (our knot). Env:
 * PEBBLE_VA_NOSLEEP=1 (no random validation delay), PEBBLE_WFE_NONCEREJECT=0 (no random bad nonces).
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePorts } from './ports';
import { httpRequest, waitForHttp } from './wait';
import { HarnessError, looksLikePortClash, makeTempDir, resolveBinary, run, spawnManaged, type ManagedProcess } from './process';

export interface PebbleOptions {
  /** 'host:port' of the DNS server pebble resolves names with (e.g. startDns().server). */
  dnsServer?: string;
  /** Port pebble fetches HTTP-01 challenges on (e.g. your nginx's port). Default: a free port. */
  httpPort?: number;
  /** Port for TLS-ALPN-01 challenges. Default: a free port. */
  tlsPort?: number;
  /** Skip challenge validation entirely (PEBBLE_VA_ALWAYS_VALID=1). */
  alwaysValid?: boolean;
  /** Extra environment, e.g. { PEBBLE_AUTHZREUSE: '0' }. */
  env?: Record<string, string>;
}

export interface PebbleInstance {
  /** https://127.0.0.1:PORT/dir */
  directoryUrl: string;
  port: number;
  managementPort: number;
  /** https://127.0.0.1:MGMT */
  managementUrl: string;
  /** CA that signed pebble's listener certificate (PEM): trust it to talk to the ACME API. */
  caCertPem: string;
  /** The same CA as a file (for NODE_EXTRA_CA_CERTS or curl --cacert). */
  caCertFile: string;
  /** Pebble's issuing root for this run (PEM), from /roots/0. Changes on every start. */
  rootCaPem: string;
  /** Pebble's intermediate for this run (PEM), from /intermediates/0. */
  intermediatePem: string;
  httpChallengePort: number;
  tlsChallengePort: number;
  dnsServer?: string;
  pid: number;
  dir: string;
  logFile: string;
  stop(): Promise<void>;
}

async function makeListenerCert(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const openssl = resolveBinary('openssl');
  const caKey = path.join(dir, 'ca.key');
  const caFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'listener.key');
  const csr = path.join(dir, 'listener.csr');
  const certFile = path.join(dir, 'listener.pem');
  const ext = path.join(dir, 'listener.ext');
  await run(openssl, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
  await run(openssl, ['req', '-x509', '-new', '-key', caKey, '-sha256', '-days', '2', '-subj', '/CN=Gatehouse test pebble listener CA', '-out', caFile]);
  await run(openssl, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  await run(openssl, ['req', '-new', '-key', keyFile, '-subj', '/CN=localhost', '-out', csr]);
  fs.writeFileSync(ext, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run(openssl, ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-sha256', '-extfile', ext, '-out', certFile]);
  return { caFile, certFile, keyFile };
}

export async function startPebble(opts: PebbleOptions = {}): Promise<PebbleInstance> {
  const pebble = resolveBinary('pebble');
  const tmp = makeTempDir('pebble');
  const dir = tmp.path;
  const logFile = path.join(dir, 'pebble.log');
  const configFile = path.join(dir, 'pebble-config.json');
  let proc: ManagedProcess | undefined;
  try {
    const { caFile, certFile, keyFile } = await makeListenerCert(dir);
    const caCertPem = fs.readFileSync(caFile, 'utf8');
    const env = {
      ...process.env,
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
      ...(opts.alwaysValid ? { PEBBLE_VA_ALWAYS_VALID: '1' } : {}),
      ...opts.env,
    };
    let port = 0;
    let managementPort = 0;
    let httpPort = 0;
    let tlsPort = 0;
    for (let attempt = 1; ; attempt++) {
      const [p1, p2, p3, p4] = await freePorts(4);
      [port, managementPort] = [p1, p2];
      httpPort = opts.httpPort ?? p3;
      tlsPort = opts.tlsPort ?? p4;
      const config = {
        pebble: {
          listenAddress: `127.0.0.1:${port}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: certFile,
          privateKey: keyFile,
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      };
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      const args = ['-config', configFile];
      if (opts.dnsServer) args.push('-dnsserver', opts.dnsServer);
      const p = spawnManaged(pebble, args, { name: 'pebble', logFile, env, cwd: dir });
      try {
        await waitForHttp(`https://127.0.0.1:${port}/dir`, { ca: caCertPem, timeoutMs: 15_000, abortIf: () => p.assertAlive() });
        await waitForHttp(`https://127.0.0.1:${managementPort}/roots/0`, { ca: caCertPem, timeoutMs: 15_000, abortIf: () => p.assertAlive() });
        proc = p;
        break;
      } catch (err) {
        await p.stop();
        if (attempt < 3 && looksLikePortClash(p.logTail())) continue;
        throw new HarnessError(`${(err as Error).message}\npebble log:\n${p.logTail()}`);
      }
    }
    const mgmt = `https://127.0.0.1:${managementPort}`;
    const rootCaPem = (await httpRequest(`${mgmt}/roots/0`, { ca: caCertPem })).body;
    const intermediatePem = (await httpRequest(`${mgmt}/intermediates/0`, { ca: caCertPem })).body;
    if (!rootCaPem.includes('BEGIN CERTIFICATE')) throw new HarnessError(`pebble /roots/0 returned no PEM: ${rootCaPem.slice(0, 200)}`);
    return {
      directoryUrl: `https://127.0.0.1:${port}/dir`,
      port,
      managementPort,
      managementUrl: mgmt,
      caCertPem,
      caCertFile: caFile,
      rootCaPem,
      intermediatePem,
      httpChallengePort: httpPort,
      tlsChallengePort: tlsPort,
      dnsServer: opts.dnsServer,
      pid: proc.pid,
      dir,
      logFile,
      async stop() {
        await proc!.stop();
        tmp.remove();
      },
    };
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    tmp.remove();
    throw err;
  }
}
