import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { executeSql, getDb } from '../db';
import { defineOperations } from '../operation';
import pkg from '../../package.json';

export const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['sqlite', 'postgres']), version: z.string() });

export const systemOps = defineOperations({
  health: { method: 'GET', path: '/health', summary: 'Liveness and database reachability (no auth)', tag: 'system', auth: 'public', response: healthSchema },
});

export const version = pkg.version;

export async function health(): Promise<z.infer<typeof healthSchema>> {
  const { dialect } = getDb();
  try {
    await executeSql(sql`select 1`);
    return { status: 'ok', database: dialect, version };
  } catch {
    return { status: 'degraded', database: dialect, version };
  }
}
