import { migrateDb } from '../db';

/** Every command works on a fresh database: pending migrations are applied first. */
export async function ready(): Promise<void> {
  await migrateDb();
}

export const print = (line: string) => process.stdout.write(line + '\n');
