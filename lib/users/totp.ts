import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, what every authenticator app does) through otplib,
 * and the one-time recovery codes. Pure: no database here (lib/users/two-factor.ts stores).
 */
export const TOTP_PERIOD = 30;
const ISSUER = 'Gatehouse';

export const newTotpSecret = () => generateSecret({ length: 20 });

export const totpUri = (email: string, secret: string) => generateURI({ issuer: ISSUER, label: email, secret, algorithm: 'sha1', digits: 6, period: TOTP_PERIOD });

/** The otpauth:// URL as an SVG QR code (markup from qrcode only: no user text is interpolated). */
export const totpQrSvg = (otpauthUrl: string) => QRCode.toString(otpauthUrl, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', width: 192 });

/** The current code (tests and the CLI's own checks; sign-in only verifies). */
export const totpNow = (secret: string, epoch?: number) => generate({ secret, algorithm: 'sha1', digits: 6, period: TOTP_PERIOD, ...(epoch !== undefined && { epoch }) });

export const looksLikeTotp = (code: string) => /^\d{6}$/.test(code);

/**
 * The time step the code belongs to, or null. One step either side is accepted (clock drift), and
 * a step at or before `afterStep` (the last one used) is refused, so a code is good once.
 */
export async function verifyTotp(secret: string, code: string, afterStep: number | null, epoch?: number): Promise<number | null> {
  const token = code.replace(/\s+/g, '');
  if (!looksLikeTotp(token)) return null;
  try {
    const result = await verify({
      secret,
      token,
      algorithm: 'sha1',
      digits: 6,
      period: TOTP_PERIOD,
      epochTolerance: TOTP_PERIOD,
      ...(epoch !== undefined && { epoch }),
      ...(afterStep !== null && { afterTimeStep: afterStep }),
    });
    if (!result.valid) return null;
    // A TOTP result carries its time step (the functional API's type also allows HOTP's).
    const step = (result as { timeStep?: number }).timeStep;
    return typeof step === 'number' ? step : null;
  } catch {
    return null; // a malformed secret or token is simply not a match
  }
}

// ---- recovery codes ------------------------------------------------------------------------------

export const RECOVERY_CODE_COUNT = 10;
// Lower-case letters and digits without the look-alikes (0/o, 1/l/i): 31 symbols, 10 of them ≈ 50 bits.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
// The codes are random, not chosen by people: a cheaper bcrypt than passwords' is plenty, and
// checking up to ten of them at sign-in stays quick.
const COST = Math.min(Number(process.env.GATEHOUSE_BCRYPT_COST ?? 10), 10);

/** "abcde-fghjk": ten random symbols, shown with a dash for reading aloud. */
export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** What a person typed → the form it was hashed in (case, spaces and dashes do not matter). */
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]+/g, '');

export const looksLikeRecoveryCode = (code: string) => /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(code));

export const hashRecoveryCode = (code: string) => bcrypt.hash(normalizeRecoveryCode(code), COST);

export const recoveryCodeMatches = (code: string, hash: string) => bcrypt.compare(normalizeRecoveryCode(code), hash);
