import { describe, expect, it } from 'vitest';
import {
  hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCode, newTotpSecret, normalizeRecoveryCode, recoveryCodeMatches, totpNow, totpQrSvg, totpUri, verifyTotp,
} from '@/lib/users/totp';

// RFC 6238 appendix B, SHA-1: the ASCII seed "12345678901234567890" in Base32; the RFC's
// 8-digit values end in these 6 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const vectors: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it.each(vectors)('at %i the code is %s', async (epoch, code) => {
    expect(await totpNow(RFC_SECRET, epoch)).toBe(code);
    expect(await verifyTotp(RFC_SECRET, code, null, epoch)).toBe(Math.floor(epoch / 30));
  });

  it('accepts one step of clock drift either way, not two', async () => {
    const epoch = 1234567890;
    const step = Math.floor(epoch / 30);
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch - 30), null, epoch)).toBe(step - 1);
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch + 30), null, epoch)).toBe(step + 1);
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch - 60), null, epoch)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch + 60), null, epoch)).toBeNull();
  });

  it('refuses a code of a step already used (no replay within the window)', async () => {
    const epoch = 1234567890;
    const step = Math.floor(epoch / 30);
    const code = await totpNow(RFC_SECRET, epoch);
    expect(await verifyTotp(RFC_SECRET, code, step - 1, epoch)).toBe(step);
    expect(await verifyTotp(RFC_SECRET, code, step, epoch)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch - 30), step, epoch)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, await totpNow(RFC_SECRET, epoch + 30), step, epoch)).toBe(step + 1);
  });

  it('a wrong, malformed or empty code is simply no match (never a throw)', async () => {
    for (const bad of ['000000', '12345', '1234567', 'abcdef', '', ' ', '２８７０８２']) {
      expect(await verifyTotp(RFC_SECRET, bad, null, 59)).toBeNull();
    }
    expect(await verifyTotp('not base32!', '287082', null, 59)).toBeNull();
  });

  it('new secrets are 160-bit Base32, and the URI and QR code name Gatehouse and the account', async () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = totpUri('ada@example.test', secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:ada%40example\.test\?/);
    const params = new URL(uri).searchParams;
    expect(params.get('secret')).toBe(secret);
    expect(params.get('issuer')).toBe('Gatehouse');
    const svg = await totpQrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toContain('<script');
  });
});

describe('recovery codes', () => {
  it('are ten symbols in two groups, distinct, with no look-alike characters', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const c of codes) expect(c).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('match however they are typed (case, spaces, dashes), and only themselves', async () => {
    const code = newRecoveryCode();
    const hash = await hashRecoveryCode(code);
    expect(hash).not.toContain(normalizeRecoveryCode(code));
    expect(hash.startsWith('$2')).toBe(true);
    expect(await recoveryCodeMatches(code, hash)).toBe(true);
    expect(await recoveryCodeMatches(code.toUpperCase().replace('-', ' '), hash)).toBe(true);
    expect(await recoveryCodeMatches(code.replace('-', ''), hash)).toBe(true);
    expect(await recoveryCodeMatches(newRecoveryCode(), hash)).toBe(false);
    expect(looksLikeRecoveryCode(code)).toBe(true);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
  });
});
