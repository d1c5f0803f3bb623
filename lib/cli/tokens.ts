import type { Command } from 'commander';
import { cliActor } from '../access/actor';
import { createToken, revokeToken } from '../tokens/service';
import { requireUserByEmail } from '../users/service';
import { ValidationError } from '../errors';
import { print, ready } from './shared';

export function registerTokenCommands(program: Command) {
  const tokens = program.command('tokens').description('manage API tokens');

  tokens
    .command('create')
    .requiredOption('--email <email>', 'owner of the token')
    .requiredOption('--name <name>')
    .option('--expires-days <days>', 'expire after this many days')
    .action(async (o) => {
      await ready();
      const owner = await requireUserByEmail(o.email);
      const expiresDays = o.expiresDays === undefined ? undefined : Number(o.expiresDays);
      if (expiresDays !== undefined && !Number.isInteger(expiresDays)) throw ValidationError.field('expiresDays', '--expires-days must be a whole number.');
      const created = await createToken(cliActor, { name: o.name, expiresDays }, owner.id);
      print(`created token ${created.id} "${created.name}" for ${owner.email}; it is shown once:`);
      print(created.token);
    });

  tokens
    .command('revoke')
    .requiredOption('--id <id>')
    .action(async (o) => {
      await ready();
      await revokeToken(cliActor, o.id);
      print(`revoked ${o.id}`);
    });
}
