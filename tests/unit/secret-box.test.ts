import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeKeyRing, open, seal, sealedKeyId, keyId } from '@/lib/crypto/secret-box';

const key = () => crypto.randomBytes(32).toString('base64');

describe('secret box', () => {
  it('round-trips and never contains the plaintext', () => {
    const ring = makeKeyRing(key());
    const sealed = seal('hunter2-secret', ring);
    expect(sealed).not.toContain('hunter2');
    expect(open(sealed, ring)).toBe('hunter2-secret');
    expect(seal('same', ring)).not.toBe(seal('same', ring));
  });

  it('names its key, so a ring with the old key still opens it after a rotation', () => {
    const oldKey = key();
    const oldRing = makeKeyRing(oldKey);
    const sealed = seal('x', oldRing);
    expect(sealedKeyId(sealed)).toBe(keyId(Buffer.from(oldKey, 'base64')));
    const newRing = makeKeyRing(key(), [oldKey]);
    expect(open(sealed, newRing)).toBe('x');
    expect(() => open(sealed, makeKeyRing(key()))).toThrow(/No key/);
  });

  it('rejects tampering', () => {
    const ring = makeKeyRing(key());
    const parts = seal('payload', ring).split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => open(parts.join('.'), ring)).toThrow();
  });
});
