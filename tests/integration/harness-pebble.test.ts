import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import * as acme from 'acme-client';
import { startPebble, type PebbleInstance } from '../support/pebble';
import { startDns, type DnsServer } from '../support/dns';
import { startNginx, type NginxInstance } from '../support/nginx';
import { requireBinary } from '../support/process';
import { httpRequest } from '../support/wait';

describe.skipIf(!requireBinary('pebble', 'openssl', 'knotd', 'nginx'))('harness: pebble ACME server', () => {
  let dns: DnsServer;
  let nginx: NginxInstance;
  let pebble: PebbleInstance;

  beforeAll(async () => {
    dns = await startDns({
      zones: [{ name: 'example.test', ns: ['ns1.example.test'], records: [{ name: 'app', type: 'A', value: '127.0.0.1' }] }],
    });
    nginx = await startNginx();
    const t0 = Date.now();
    pebble = await startPebble({ dnsServer: dns.server, httpPort: nginx.port });
    console.log(`[harness] pebble ready in ${Date.now() - t0} ms at ${pebble.directoryUrl} (HTTP-01 on ${pebble.httpChallengePort})`);
  });

  afterAll(async () => {
    await pebble?.stop();
    await nginx?.stop();
    await dns?.stop();
  });

  it('serves its directory over TLS signed by the CA it returns', async () => {
    const res = await httpRequest(pebble.directoryUrl, { ca: pebble.caCertPem });
    expect(res.status).toBe(200);
    const dir = JSON.parse(res.body);
    expect(dir.newAccount).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(dir.newOrder).toBeTruthy();
    await expect(httpRequest(pebble.directoryUrl)).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    expect(pebble.rootCaPem).toContain('BEGIN CERTIFICATE');
    expect(new crypto.X509Certificate(pebble.rootCaPem).subject).toMatch(/Pebble Root CA/);
  });

  it('issues a certificate through HTTP-01 served by nginx, resolving names with knot', async () => {
    const webroot = path.join(nginx.prefix, 'acme');
    fs.mkdirSync(path.join(webroot, '.well-known', 'acme-challenge'), { recursive: true });
    nginx.writeConf(
      'app.conf',
      `server {\n  listen 127.0.0.1:${nginx.port};\n  server_name app.example.test;\n  location /.well-known/acme-challenge/ { root ${webroot}; }\n}\n`,
    );
    await nginx.reload();

    acme.axios.defaults.httpsAgent = new https.Agent({ ca: pebble.caCertPem });
    const client = new acme.Client({ directoryUrl: pebble.directoryUrl, accountKey: await acme.crypto.createPrivateKey() });
    const [key, csr] = await acme.crypto.createCsr({ commonName: 'app.example.test' });
    const t0 = Date.now();
    const certPem = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      skipChallengeVerification: true, // acme-client's own pre-check uses the system resolver
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        fs.writeFileSync(path.join(webroot, '.well-known', 'acme-challenge', challenge.token), keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        fs.rmSync(path.join(webroot, '.well-known', 'acme-challenge', challenge.token), { force: true });
      },
    });
    console.log(`[harness] pebble issued a certificate in ${Date.now() - t0} ms`);
    expect(key.length).toBeGreaterThan(0);

    const [leafPem, intermediatePem] = certPem.split(/(?<=-----END CERTIFICATE-----)\s*/).filter((s) => s.includes('BEGIN'));
    const leaf = new crypto.X509Certificate(leafPem);
    const intermediate = new crypto.X509Certificate(intermediatePem);
    const root = new crypto.X509Certificate(pebble.rootCaPem);
    expect(leaf.checkHost('app.example.test')).toBe('app.example.test');
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    // pebble fetched the challenge through nginx
    expect(fs.readFileSync(nginx.accessLog, 'utf8')).toMatch(/GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200/);
  });
});
