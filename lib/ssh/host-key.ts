import { createHash } from 'node:crypto';
import { z } from 'zod';

/** `SHA256:` + unpadded base64 of a 32-byte digest, exactly as `ssh-keygen -lf` prints it. */
export const hostKeyFingerprintSchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must look like SHA256:<43 base64 characters>');

/** OpenSSH's fingerprint of a raw host key blob (the wire-format public key). */
export function fingerprintOf(rawKey: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '');
}

/**
 * Accepts what an admin may paste (`SHA256:abc…=`, with or without padding, surrounding spaces)
 * and returns the canonical form, or null when it is not a SHA-256 fingerprint.
 */
export function normalizeFingerprint(input: string): string | null {
  const trimmed = input.trim().replace(/=+$/, '');
  const candidate = trimmed.startsWith('SHA256:') ? trimmed : `SHA256:${trimmed}`;
  return hostKeyFingerprintSchema.safeParse(candidate).success ? candidate : null;
}

/** The key type named at the start of the blob (e.g. `ssh-ed25519`), for display only. */
export function keyAlgorithmOf(rawKey: Buffer): string {
  if (rawKey.length < 4) return 'unknown';
  const len = rawKey.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > rawKey.length) return 'unknown';
  return rawKey.subarray(4, 4 + len).toString('latin1');
}
