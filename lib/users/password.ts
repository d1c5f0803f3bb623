import bcrypt from 'bcryptjs';
import { z } from 'zod';

// Cost 11: about 150 ms per hash in bcryptjs here, slow enough for offline guessing.
const COST = Number(process.env.GATEHOUSE_BCRYPT_COST ?? 11);

export const passwordSchema = z
  .string({ error: 'Password is required.' })
  .min(10, 'Use at least 10 characters.')
  .max(200, 'Use at most 200 characters.');

export const hashPassword = (plain: string) => bcrypt.hash(plain, COST);
export const verifyPassword = (plain: string, hash: string) => bcrypt.compare(plain, hash);

let dummy: string | undefined;
/** A hash at the same cost to compare against when the account does not exist, so timing does not tell. */
export const dummyHash = () => (dummy ??= bcrypt.hashSync('no-such-account', COST));
