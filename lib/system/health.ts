import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { executeSql, getDb } from '../db';
import { config } from '../config';
import { isLeader } from '../lifecycle';
import { defineOperations } from '../operation';
import { instanceListSchema } from './instances';
import pkg from '../../package.json';

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['sqlite', 'postgres']),
  version: z.string(),
  /** This instance: its INSTANCE_ID, and whether it runs the singleton jobs. */
  instance: z.object({ id: z.string(), leader: z.boolean() }),
});

export const systemOps = defineOperations({
  health: { method: 'GET', path: '/health', summary: 'Liveness and database reachability (no auth)', tag: 'system', auth: 'public', response: healthSchema },
  instances: {
    method: 'GET', path: '/instances', summary: 'The running Gatehouse instances, their polling share and the leader', tag: 'system', auth: 'admin',
    response: instanceListSchema,
  },
});

export const version = pkg.version;

export async function health(): Promise<z.infer<typeof healthSchema>> {
  const { dialect } = getDb();
  const instance = { id: config().INSTANCE_ID, leader: isLeader() };
  try {
    await executeSql(sql`select 1`);
    return { status: 'ok', database: dialect, version, instance };
  } catch {
    return { status: 'degraded', database: dialect, version, instance };
  }
}
