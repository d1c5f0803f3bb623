import { Option, type Command } from 'commander';
import { cliActor } from '../access/actor';
import { createUser, listUsers, requireUserByEmail, updateUser } from '../users/service';
import { print, ready } from './shared';
import { readPassword, requirePasswordStdin } from './password-input';

const STDIN_HELP = 'read the password from standard input (a prompt without echo on a terminal)';
/** Accepted only to answer it with a hint: a password in the arguments shows in `ps`. */
const refusedPassword = () => new Option('--password [password]').hideHelp();

export function registerUserCommands(program: Command) {
  const users = program.command('users').description('manage users');

  users
    .command('create')
    .requiredOption('--email <email>')
    .option('--password-stdin', STDIN_HELP)
    .addOption(refusedPassword())
    .option('--role <role>', 'admin or user', 'user')
    .option('--name <name>', 'display name', '')
    .action(async (o) => {
      requirePasswordStdin('users create', o);
      const password = await readPassword();
      await ready();
      const u = await createUser(cliActor, { email: o.email, password, role: o.role, name: o.name });
      print(`created ${u.role} ${u.email} (${u.id})`);
    });

  users
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await ready();
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await listUsers(cliActor, { limit: 500, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (o.json) {
        print(JSON.stringify(all, null, 2));
        return;
      }
      for (const u of all) print(`${u.id}  ${u.email.padEnd(32)} ${u.role.padEnd(6)} ${u.active ? 'active' : 'inactive'}  ${u.name}`);
    });

  const byEmail = (name: string, description: string, extra: (c: Command) => Command, patch: (o: Record<string, string>) => object | Promise<object>) =>
    extra(users.command(name).description(description).requiredOption('--email <email>')).action(async (o) => {
      const change = await patch(o);
      await ready();
      const u = await requireUserByEmail(o.email);
      const updated = await updateUser(cliActor, u.id, change);
      print(`${name}: ${updated.email} (${updated.role}, ${updated.active ? 'active' : 'inactive'})`);
    });

  byEmail(
    'set-password',
    'set a user\'s password, read from standard input (ends their sessions and tokens)',
    (c) => c.option('--password-stdin', STDIN_HELP).addOption(refusedPassword()),
    async (o) => {
      requirePasswordStdin('users set-password', o);
      return { password: await readPassword() };
    },
  );
  byEmail('set-role', 'make a user admin or user', (c) => c.requiredOption('--role <role>'), (o) => ({ role: o.role }));
  byEmail('deactivate', 'deactivate a user (ends their sessions and tokens)', (c) => c, () => ({ active: false }));
  byEmail('activate', 'activate a user', (c) => c, () => ({ active: true }));
}
