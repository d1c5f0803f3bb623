import { describe, expect, it } from 'vitest';
import { getTableColumns, getTableName, is, Table } from 'drizzle-orm';
import * as sqlite from '@/lib/db/schema/sqlite';
import * as pg from '@/lib/db/schema/pg';

const tables = (mod: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(mod).filter(([, v]) => is(v, Table))) as Record<string, Table>;

/** The JS-facing shape of a column: what queries written once rely on. */
const shape = (table: Table) =>
  Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([k, c]) => [
      k,
      { name: c.name, dataType: c.dataType === 'bigint' ? 'number' : c.dataType, notNull: c.notNull, primary: c.primary, hasDefault: c.hasDefault, enumValues: c.enumValues ?? null },
    ]),
  );

describe('schema parity', () => {
  const s = tables(sqlite);
  const p = tables(pg);

  it('both dialects export the same tables', () => {
    expect(Object.keys(p).sort()).toEqual(Object.keys(s).sort());
  });

  for (const name of Object.keys(s)) {
    it(`${name}: same table name, columns, JS types and nullability`, () => {
      expect(getTableName(p[name])).toBe(getTableName(s[name]));
      expect(shape(p[name])).toEqual(shape(s[name]));
    });
  }
});
