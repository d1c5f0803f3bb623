import { defineConfig } from 'drizzle-kit';

// One config, one migration folder per dialect: `npm run db:generate` runs it twice.
const pg = process.env.DRIZZLE_DIALECT === 'postgresql';

export default defineConfig(
  pg
    ? { dialect: 'postgresql', schema: './lib/db/schema/pg.ts', out: './drizzle/pg' }
    : { dialect: 'sqlite', schema: './lib/db/schema/sqlite.ts', out: './drizzle/sqlite' },
);
