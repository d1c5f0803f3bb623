/**
 * Reading and checking certificates and keys (pure: no database, no I/O). Every problem becomes
 * a ValidationError naming the field it belongs to, in words an admin can act on.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors';

export interface PemBlock {
  label: string;
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** The PEM blocks of a text, in order, each normalised to LF line ends. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) out.push({ label: m[1], text: `-----BEGIN ${m[1]}-----\n${m[2].replace(/\r/g, '').trim()}\n-----END ${m[1]}-----\n` });
  return out;
}

/** What a certificate says about itself, in the shape the database keeps. */
export interface CertificateFacts {
  names: string[];
  issuer: string | null;
  subject: string | null;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, colon-separated hex (as browsers show it). */
  fingerprint: string;
}

const rdn = (dn: string, key: string) =>
  dn
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1) ?? null;

/** DNS names of a certificate: its subjectAltName DNS entries, else its subject CN (old certificates). */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? '';
  const dns = san
    .split(/,\s*/)
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4).trim().toLowerCase().replace(/^"|"$/g, ''))
    .filter(Boolean);
  if (dns.length) return [...new Set(dns)];
  const cn = rdn(cert.subject, 'CN');
  return cn ? [cn.toLowerCase()] : [];
}

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const cn = rdn(cert.issuer, 'CN');
  const org = rdn(cert.issuer, 'O');
  return {
    names: certificateNames(cert),
    issuer: cn && org && !cn.includes(org) ? `${cn} (${org})` : (cn ?? org ?? (cert.issuer.trim() || null)),
    subject: rdn(cert.subject, 'CN'),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprint: cert.fingerprint256,
  };
}

const shortName = (c: X509Certificate) => rdn(c.subject, 'CN') ?? (c.subject.split('\n')[0] || 'no subject');
const dateText = (d: Date) => d.toISOString().slice(0, 10);

export interface CustomUpload {
  certificatePem: string;
  privateKeyPem: string;
  chainPem?: string | null;
}

export interface InspectedUpload extends CertificateFacts {
  /** The leaf alone, normalised. */
  certificatePem: string;
  /** Intermediates in order, leaf-side first (null when none). */
  chainPem: string | null;
  /** PKCS#8, unencrypted, normalised: what Nginx gets. */
  privateKeyPem: string;
}

interface Parsed {
  cert: X509Certificate;
  pem: string;
  field: 'certificatePem' | 'chainPem';
}

function parseCertificates(text: string, field: 'certificatePem' | 'chainPem', errors: Record<string, string[]>): Parsed[] {
  const blocks = pemBlocks(text);
  const say = (m: string) => (errors[field] ??= []).push(m);
  if (blocks.some((b) => b.label.includes('PRIVATE KEY'))) {
    say('This holds a private key. Paste the key in the private key field, never beside the certificate.');
    return [];
  }
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
  if (certs.length === 0) {
    if (text.trim()) say('This is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----.');
    else if (field === 'certificatePem') say('Paste the certificate (PEM).');
    return [];
  }
  const out: Parsed[] = [];
  certs.forEach((b, i) => {
    try {
      out.push({ cert: new X509Certificate(b.text), pem: b.text, field });
    } catch {
      say(`Certificate ${i + 1} cannot be read: its PEM block is damaged or incomplete.`);
    }
  });
  return out;
}

function parseKey(text: string, errors: Record<string, string[]>): KeyObject | null {
  const say = (m: string) => (errors.privateKeyPem ??= []).push(m);
  const blocks = pemBlocks(text);
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    say('The key is protected by a passphrase. Export it without one (openssl pkey -in key.pem -out plain.pem) and paste that.');
    return null;
  }
  const key = blocks.find((b) => /^(RSA |EC |)PRIVATE KEY$/.test(b.label));
  if (!key) {
    if (!text.trim()) say('Paste the private key (PEM).');
    else if (blocks.some((b) => b.label === 'CERTIFICATE')) say('This is a certificate, not a private key.');
    else if (blocks.some((b) => b.label === 'PUBLIC KEY')) say('This is a public key; the private key is needed.');
    else say('This is not a PEM private key: it should start with -----BEGIN PRIVATE KEY-----.');
    return null;
  }
  try {
    return createPrivateKey({ key: key.text, format: 'pem' });
  } catch {
    say('The private key cannot be read: its PEM block is damaged or of an unsupported kind.');
    return null;
  }
}

/** Checks that each certificate was issued and signed by the next one, naming the first break. */
function checkChainOrder(all: Parsed[], errors: Record<string, string[]>): void {
  for (let i = 0; i + 1 < all.length; i++) {
    const child = all[i];
    const parent = all[i + 1];
    if (child.cert.checkIssued(parent.cert) && child.cert.verify(parent.cert.publicKey)) continue;
    const signer = all.findIndex((p, j) => j !== i && child.cert.checkIssued(p.cert) && child.cert.verify(p.cert.publicKey));
    const message =
      signer === -1
        ? `The chain is broken: "${shortName(parent.cert)}" did not issue "${shortName(child.cert)}". Use the intermediate certificates your CA gave you for this certificate.`
        : `The chain is in the wrong order: "${shortName(all[signer].cert)}" signed "${shortName(child.cert)}", so it must come right after it. Order: server certificate first, then each issuer.`;
    (errors[parent.field] ??= []).push(message);
    return;
  }
}

/**
 * Checks an uploaded certificate, key and chain: all parse, the key belongs to the certificate,
 * the certificate is inside its validity period, and the chain is in issuing order. Certificates
 * after the first in `certificatePem` (a pasted full chain) count as the chain.
 */
export function inspectUpload(input: CustomUpload, now = new Date()): InspectedUpload {
  const errors: Record<string, string[]> = {};
  const own = parseCertificates(input.certificatePem ?? '', 'certificatePem', errors);
  const extra = input.chainPem?.trim() ? parseCertificates(input.chainPem, 'chainPem', errors) : [];
  const key = parseKey(input.privateKeyPem ?? '', errors);
  if (Object.keys(errors).length || own.length === 0 || !key) throw new ValidationError(errors);

  const all = [...own, ...extra];
  const leaf = all[0].cert;
  if (!leaf.checkPrivateKey(key)) {
    const owner = all.findIndex((p) => p.cert.checkPrivateKey(key));
    errors.privateKeyPem = [
      owner > 0
        ? `This key belongs to "${shortName(all[owner].cert)}", not to the first certificate. Put the server certificate first.`
        : 'This key does not belong to the certificate: they are not a pair.',
    ];
    throw new ValidationError(errors);
  }
  const facts = certificateFacts(leaf);
  if (facts.notAfter.getTime() <= now.getTime()) errors.certificatePem = [`The certificate expired on ${dateText(facts.notAfter)}.`];
  // A few minutes of grace for clocks that disagree with the CA's.
  else if (facts.notBefore.getTime() > now.getTime() + 5 * 60_000) errors.certificatePem = [`The certificate is not valid before ${dateText(facts.notBefore)}.`];
  if (!errors.certificatePem) {
    const expired = all.slice(1).find((p) => new Date(p.cert.validTo).getTime() <= now.getTime());
    if (expired) (errors[expired.field] ??= []).push(`The chain certificate "${shortName(expired.cert)}" expired on ${dateText(new Date(expired.cert.validTo))}.`);
  }
  checkChainOrder(all, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const chain = all.slice(1).map((p) => p.pem);
  return {
    ...facts,
    certificatePem: all[0].pem,
    chainPem: chain.length ? chain.join('') : null,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Splits what an ACME server returns (leaf, then chain) into leaf and chain PEM. */
export function splitFullChain(fullChain: string): { certificatePem: string; chainPem: string | null } {
  const blocks = pemBlocks(fullChain).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new Error('The ACME server returned no certificate.');
  return { certificatePem: blocks[0].text, chainPem: blocks.length > 1 ? blocks.slice(1).map((b) => b.text).join('') : null };
}
