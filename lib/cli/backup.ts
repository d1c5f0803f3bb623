import fs from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../access/actor';
import { exportConfiguration, importConfiguration } from '../backup';
import { ValidationError } from '../errors';
import { print, ready } from './shared';

export function registerBackupCommands(program: Command) {
  program
    .command('export')
    .description('write the whole configuration as one JSON document (secrets stay sealed)')
    .option('--file <file>', 'write to this file (mode 0600) instead of stdout')
    .action(async (o) => {
      await ready();
      const doc = JSON.stringify(await exportConfiguration(cliActor), null, 2);
      if (o.file) {
        fs.writeFileSync(o.file, doc + '\n', { mode: 0o600 });
        print(`exported to ${o.file}`);
      } else print(doc);
    });

  program
    .command('import')
    .description('restore a configuration exported by `export` into an empty installation')
    .requiredOption('--file <file>')
    .action(async (o) => {
      await ready();
      let doc: unknown;
      try {
        doc = JSON.parse(fs.readFileSync(o.file, 'utf8'));
      } catch (err) {
        throw ValidationError.field('file', `Cannot read ${o.file} as JSON: ${(err as Error).message.split('\n')[0]}`);
      }
      const counts = await importConfiguration(cliActor, doc);
      print(`imported ${Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing'}`);
    });
}
