import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventTypes } from '@/lib/registry';

/**
 * Every event type a feature publishes is in that feature's events.ts table (and so in the
 * registry's list and the OpenAPI document): a new `publish({ type: 'x.y' })` without a row fails.
 */
const libDir = path.resolve(import.meta.dirname, '../../lib');

function filesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('event type tables', () => {
  const folders = fs.readdirSync(libDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const folder of folders) {
    const published = new Set<string>();
    for (const file of filesOf(path.join(libDir, folder))) {
      const text = fs.readFileSync(file, 'utf8');
      // publish({ type: '…' }) and events pushed for publishMany([{ type: '…' }]) sit in objects with data.
      for (const m of text.matchAll(/\{\s*type:\s*'([a-z_.]+)'\s*,\s*(?:serverId|data|userId|everyone)\b/g)) published.add(m[1]);
    }
    if (published.size === 0) continue;
    it(`lib/${folder} lists what it publishes in lib/${folder}/events.ts`, async () => {
      const table = Object.values((await import(`@/lib/${folder}/events`)) as Record<string, readonly string[]>).flat();
      for (const type of published) expect(table, `${type} in lib/${folder}/events.ts`).toContain(type);
      for (const type of table) expect(eventTypes).toContain(type);
    });
  }
});
