export { getDb, rawDb, transaction, atomically, afterCommit, executeSql, migrateDb, switchDatabase, closeDb } from './client';
export type { Db, Tables, Dialect } from './client';
export { newId } from './ids';
