/**
 * SHA-512 crypt (`$6$`), as specified by Ulrich Drepper ("Unix crypt using SHA-256 and SHA-512",
 * https://www.akkadia.org/drepper/SHA-crypt.txt) and implemented by glibc's and musl's crypt():
 * the htpasswd format Nginx's auth_basic reads on Linux. Node has no built-in for it; this is the
 * published algorithm step by step, tested against the specification's vectors and OpenSSL's
 * `openssl passwd -6`.
 */
import { createHash, randomInt } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHA512_CRYPT_DEFAULT_ROUNDS = 5000;

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `length` bytes of `block` repeated. */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/**
 * Hashes `password` with `salt` (at most 16 characters are used, as the specification says).
 * `rounds` outside 1000..999,999,999 is clamped like glibc does; the default 5000 is not
 * written into the result.
 */
export function sha512Crypt(password: string, salt: string, rounds?: number): string {
  const custom = rounds !== undefined;
  const r = Math.min(999_999_999, Math.max(1000, Math.floor(rounds ?? SHA512_CRYPT_DEFAULT_ROUNDS)));
  const P = Buffer.from(password, 'utf8');
  const saltText = salt.slice(0, 16);
  const S = Buffer.from(saltText, 'utf8');
  const B = sha512(P, S, P);
  const a = createHash('sha512');
  a.update(P);
  a.update(S);
  a.update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();
  const DP = sha512(...Array.from({ length: P.length }, () => P));
  const Pp = repeatTo(DP, P.length);
  const DS = sha512(...Array.from({ length: 16 + A[0] }, () => S));
  const Sp = repeatTo(DS, S.length);
  let C = A;
  for (let i = 0; i < r; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? Pp : C);
    if (i % 3 !== 0) h.update(Sp);
    if (i % 7 !== 0) h.update(Pp);
    h.update(i & 1 ? C : Pp);
    C = h.digest();
  }
  let out = '';
  for (let i = 0; i < 21; i++) {
    const [x, y, z] = [C[i], C[i + 21], C[i + 42]];
    out += i % 3 === 0 ? b64From24(x, y, z, 4) : i % 3 === 1 ? b64From24(y, z, x, 4) : b64From24(z, x, y, 4);
  }
  out += b64From24(0, 0, C[63], 2);
  return `$6$${custom ? `rounds=${r}$` : ''}${saltText}$${out}`;
}

/** A fresh 16-character salt from the crypt alphabet. */
export function cryptSalt(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += ITOA64[randomInt(64)];
  return s;
}

/** The `$6$` hash Gatehouse stores for an access-list password. */
export const hashHtpasswd = (password: string): string => sha512Crypt(password, cryptSalt());

/** Checks a password against a `$6$[rounds=N$]salt$hash` string (constant-time compare of the result). */
export function verifySha512Crypt(password: string, hash: string): boolean {
  const m = /^\$6\$(?:rounds=([0-9]{1,9})\$)?([^$]{0,16})\$[./0-9A-Za-z]{86}$/.exec(hash);
  if (!m) return false;
  const again = sha512Crypt(password, m[2], m[1] ? Number(m[1]) : undefined);
  if (again.length !== hash.length) return false;
  let diff = 0;
  for (let i = 0; i < hash.length; i++) diff |= again.charCodeAt(i) ^ hash.charCodeAt(i);
  return diff === 0;
}
