/**
 * Test certificates made with the openssl CLI: a root CA, intermediates, and leaves with chosen
 * names and validity dates (`openssl ca` takes explicit start and end dates, so expired and
 * not-yet-valid certificates are real ones, not mocks).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Issued {
  certPem: string;
  keyPem: string;
  subject: string;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
const DAY = 86_400_000;

function withDir<T>(fn: (dir: string, run: (...args: string[]) => void) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-certs-'));
  try {
    return fn(dir, (...args) => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function newKey(run: (...a: string[]) => void, file: string, type: 'ec' | 'rsa') {
  if (type === 'ec') run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  else run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file);
}

/** A self-signed root CA valid from yesterday for `days`. */
export function makeRootCa(subject = 'Gatehouse Test Root', days = 365): Issued {
  return withDir((dir, run) => {
    newKey(run, 'ca.key', 'ec');
    run('req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', String(days), '-subj', `/CN=${subject}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem');
    return { certPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'), keyPem: fs.readFileSync(path.join(dir, 'ca.key'), 'utf8'), subject };
  });
}

export interface SignOptions {
  subject: string;
  /** DNS names for subjectAltName (none: CN only). */
  names?: string[];
  issuer: Issued;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  keyType?: 'ec' | 'rsa';
}

/** A certificate signed by `issuer` with exact validity dates (default: yesterday to +90 days). */
export function signCertificate(o: SignOptions): Issued {
  return withDir((dir, run) => {
    const now = Date.now();
    fs.writeFileSync(path.join(dir, 'issuer.pem'), o.issuer.certPem);
    fs.writeFileSync(path.join(dir, 'issuer.key'), o.issuer.keyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), `${Math.floor(Math.random() * 1e12).toString(16).padStart(16, '0')}\n`);
    fs.writeFileSync(
      path.join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca = d\n[d]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n`,
    );
    const ext = o.ca
      ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
      : `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n${o.names?.length ? `subjectAltName=${o.names.map((n) => `DNS:${n}`).join(',')}\n` : ''}`;
    fs.writeFileSync(path.join(dir, 'ext.cnf'), ext);
    newKey(run, 'leaf.key', o.keyType ?? 'ec');
    run('req', '-new', '-key', 'leaf.key', '-subj', `/CN=${o.subject}`, '-out', 'leaf.csr');
    run('ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'issuer.pem', '-keyfile', 'issuer.key', '-in', 'leaf.csr', '-out', 'leaf.pem',
      '-startdate', stamp(o.notBefore ?? new Date(now - DAY)), '-enddate', stamp(o.notAfter ?? new Date(now + 90 * DAY)), '-extfile', 'ext.cnf');
    return { certPem: fs.readFileSync(path.join(dir, 'leaf.pem'), 'utf8'), keyPem: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8'), subject: o.subject };
  });
}

/** Root → intermediate → leaf for the names: what a real CA hands out. */
export function makeChain(names: string[], leaf: Partial<SignOptions> = {}) {
  const root = makeRootCa();
  const intermediate = signCertificate({ subject: 'Gatehouse Test Intermediate', issuer: root, ca: true });
  const server = signCertificate({ subject: names[0], names, issuer: intermediate, ...leaf });
  return { root, intermediate, leaf: server };
}

export const daysFromNow = (n: number) => new Date(Date.now() + n * DAY);
