import type { Command } from 'commander';
import { cliActor } from '../access/actor';
import { migrateDb } from '../db';
import { rotateKeys } from '../backup/rotate-keys';
import { print, ready } from './shared';
import { plural } from '../errors';

export function registerSystemCommands(program: Command) {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      await migrateDb();
      print('migrations applied');
    });

  program
    .command('keys')
    .description('encryption keys')
    .command('rotate')
    .description('re-encrypt every stored secret under a new key')
    .action(async () => {
      await ready();
      const r = await rotateKeys(cliActor);
      print(`re-encrypted ${plural(r.count, 'secret')} under key ${r.newKeyId}`);
      if (r.envManaged) {
        print('ENCRYPTION_KEY is set in the environment: replace it with the new key below, then restart.');
        print('Until then the new key is read from DATA_DIR/encryption-key.next.');
        print(r.newKey!);
      }
    });
}
