export { getDb, rawDb, transaction, atomically, afterCommit, executeSql, migrateDb, switchDatabase, closeDb, poolStats, migrationSteps } from './client';
export type { Db, Tables, Dialect, MigrationStep } from './client';
export { newId } from './ids';
