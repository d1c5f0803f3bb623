import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { config } from '../config';

/**
 * AES-256-GCM secret box with a key id, so keys can rotate:
 *   v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>
 * The key id is the first 8 hex chars of SHA-256(key): the ring finds the key without storing it.
 * `keys rotate` (lib/backup/rotate-keys.ts) re-seals every stored secret under a new key.
 */
export interface KeyRing {
  current: Buffer;
  all: Map<string, Buffer>;
}

export const keyId = (key: Buffer) => crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);

export function makeKeyRing(currentB64: string, oldB64: string[] = []): KeyRing {
  const current = Buffer.from(currentB64, 'base64');
  if (current.length !== 32) throw new Error('Encryption key must be 32 bytes.');
  const all = new Map<string, Buffer>();
  for (const k of [currentB64, ...oldB64]) {
    const b = Buffer.from(k, 'base64');
    all.set(keyId(b), b);
  }
  return { current, all };
}

let ring: KeyRing | undefined;
/** The process key ring: ENCRYPTION_KEY plus retired keys kept in DATA_DIR after a rotation. */
export function keyRing(): KeyRing {
  ring ??= makeKeyRing(config().ENCRYPTION_KEY, retiredKeys());
  return ring;
}

export function setKeyRing(r: KeyRing | undefined) {
  ring = r;
}

/**
 * Keys that may still decrypt: a rotation's new key while ENCRYPTION_KEY (set by env) still names
 * the old one, and ENCRYPTION_KEYS_RETIRED for keys an operator keeps on purpose.
 */
function retiredKeys(): string[] {
  const raw = process.env.ENCRYPTION_KEYS_RETIRED;
  const keys = raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
  try {
    keys.push(fs.readFileSync(path.join(config().DATA_DIR, 'encryption-key.next'), 'utf8').trim());
  } catch {
    /* no rotation pending */
  }
  return keys;
}

export function seal(plaintext: string, r: KeyRing = keyRing()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', r.current, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', keyId(r.current), iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
}

export function open(sealed: string, r: KeyRing = keyRing()): string {
  const [v, kid, iv, tag, ct] = sealed.split('.');
  if (v !== 'v1' || !kid || !iv || !tag || ct === undefined) throw new Error('Not a sealed secret.');
  const key = r.all.get(kid);
  if (!key) throw new Error(`No key with id ${kid} in the key ring; set the old key to decrypt.`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export const sealedKeyId = (sealed: string) => sealed.split('.')[1];
