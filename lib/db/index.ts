export { getDb, rawDb, transaction, atomically, afterCommit, executeSql, migrateDb, switchDatabase, closeDb, poolStats } from './client';
export type { Db, Tables, Dialect } from './client';
export { newId } from './ids';
