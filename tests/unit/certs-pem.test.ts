import { beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { ValidationError } from '@/lib/errors';
import { certificateNames, inspectUpload, pemBlocks, splitFullChain } from '@/lib/certs/pem';
import { nameCovered, uncoveredNames } from '@/lib/nginx/server-names';
import { daysFromNow, makeChain, makeRootCa, signCertificate, type Issued } from '../integration/certs-openssl';

function fieldsOf(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields!;
  }
  throw new Error('expected a ValidationError');
}

describe('certificate names and wildcards', () => {
  it('matches exact names case-insensitively and a wildcard for exactly one label', () => {
    const names = ['example.com', '*.example.com'];
    expect(nameCovered('EXAMPLE.com', names)).toBe(true);
    expect(nameCovered('www.example.com', names)).toBe(true);
    expect(nameCovered('a.b.example.com', names)).toBe(false);
    expect(nameCovered('example.org', names)).toBe(false);
    expect(nameCovered('*.example.com', names)).toBe(true);
    expect(nameCovered('*.example.com', ['www.example.com'])).toBe(false);
    expect(nameCovered('xexample.com', ['*.example.com'])).toBe(false);
    expect(uncoveredNames(['example.com', 'api.example.com', 'x.y.example.com'], ['*.example.com'])).toEqual(['example.com', 'x.y.example.com']);
  });
});

describe('inspectUpload', () => {
  let chain: ReturnType<typeof makeChain>;
  let other: Issued;
  beforeAll(() => {
    chain = makeChain(['app.example.test', '*.app.example.test']);
    other = signCertificate({ subject: 'other.example.test', names: ['other.example.test'], issuer: chain.intermediate });
  });

  it('accepts a certificate, its key and its chain, and reads the facts', () => {
    const r = inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: chain.intermediate.certPem });
    expect(r.names).toEqual(['app.example.test', '*.app.example.test']);
    expect(r.issuer).toBe('Gatehouse Test Intermediate');
    expect(r.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(r.fingerprint).toBe(new X509Certificate(chain.leaf.certPem).fingerprint256);
    expect(r.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pemBlocks(r.chainPem!)).toHaveLength(1);
  });

  it('takes a pasted full chain (certificate first) and CRLF line ends', () => {
    const full = (chain.leaf.certPem + chain.intermediate.certPem).replace(/\n/g, '\r\n');
    const r = inspectUpload({ certificatePem: full, privateKeyPem: chain.leaf.keyPem });
    expect(r.certificatePem).not.toContain('\r');
    expect(pemBlocks(r.chainPem!)).toHaveLength(1);
  });

  it('names garbage for what it is', () => {
    expect(fieldsOf(() => inspectUpload({ certificatePem: 'hello', privateKeyPem: 'world' }))).toEqual({
      certificatePem: ['This is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----.'],
      privateKeyPem: ['This is not a PEM private key: it should start with -----BEGIN PRIVATE KEY-----.'],
    });
    const damaged = chain.leaf.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(fieldsOf(() => inspectUpload({ certificatePem: damaged, privateKeyPem: chain.leaf.keyPem })).certificatePem[0]).toMatch(/cannot be read/);
    expect(fieldsOf(() => inspectUpload({ certificatePem: chain.leaf.keyPem, privateKeyPem: chain.leaf.keyPem })).certificatePem[0]).toMatch(/private key/);
    expect(fieldsOf(() => inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.certPem })).privateKeyPem[0]).toMatch(/certificate, not a private key/);
  });

  it('refuses a key that is not the pair of the certificate', () => {
    const f = fieldsOf(() => inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: other.keyPem }));
    expect(f).toEqual({ privateKeyPem: ['This key does not belong to the certificate: they are not a pair.'] });
  });

  it('says when the server certificate is not first', () => {
    const f = fieldsOf(() => inspectUpload({ certificatePem: chain.intermediate.certPem + chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem }));
    expect(f.privateKeyPem[0]).toMatch(/belongs to "app.example.test".*Put the server certificate first/);
  });

  it('refuses an encrypted key with the command that decrypts it', () => {
    const encrypted = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n';
    expect(fieldsOf(() => inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: encrypted })).privateKeyPem[0]).toMatch(/passphrase.*openssl pkey/);
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const expired = signCertificate({ subject: 'old.example.test', names: ['old.example.test'], issuer: chain.intermediate, notBefore: daysFromNow(-100), notAfter: daysFromNow(-10) });
    expect(fieldsOf(() => inspectUpload({ certificatePem: expired.certPem, privateKeyPem: expired.keyPem }))).toEqual({
      certificatePem: [`The certificate expired on ${daysFromNow(-10).toISOString().slice(0, 10)}.`],
    });
    const future = signCertificate({ subject: 'new.example.test', names: ['new.example.test'], issuer: chain.intermediate, notBefore: daysFromNow(3), notAfter: daysFromNow(90) });
    expect(fieldsOf(() => inspectUpload({ certificatePem: future.certPem, privateKeyPem: future.keyPem })).certificatePem[0]).toMatch(/not valid before/);
  });

  it('refuses a chain in the wrong order, and one that does not belong', () => {
    const root = chain.root;
    const wrongOrder = fieldsOf(() =>
      inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: root.certPem + chain.intermediate.certPem }),
    );
    expect(wrongOrder.chainPem[0]).toMatch(/wrong order: "Gatehouse Test Intermediate" signed "app.example.test"/);
    const stranger = makeRootCa('Someone Else');
    const broken = fieldsOf(() => inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: stranger.certPem }));
    expect(broken.chainPem[0]).toMatch(/chain is broken: "Someone Else" did not issue "app.example.test"/);
    // The full path up to the root is fine too.
    expect(() => inspectUpload({ certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: chain.intermediate.certPem + root.certPem })).not.toThrow();
  });

  it('reads the CN when there is no subjectAltName, and splits what an ACME server returns', () => {
    const cnOnly = signCertificate({ subject: 'legacy.example.test', issuer: chain.intermediate });
    expect(certificateNames(new X509Certificate(cnOnly.certPem))).toEqual(['legacy.example.test']);
    const split = splitFullChain(chain.leaf.certPem + '\n' + chain.intermediate.certPem);
    expect(split.certificatePem).toBe(pemBlocks(chain.leaf.certPem)[0].text);
    expect(split.chainPem).toBe(pemBlocks(chain.intermediate.certPem)[0].text);
  });
});
