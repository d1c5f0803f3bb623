import type { Command } from 'commander';
import { cliActor } from '../access/actor';
import { parseInput } from '../errors';
import { listStreams } from '../proxy/streams';
import { logQuery, readDomainLog } from '../proxy/logs';
import { print, ready } from './shared';

/** Streams and domain logs: `streams list`, `domains logs`. */
export function registerProxyCommands(program: Command) {
  program
    .command('streams')
    .description('TCP/UDP streams')
    .command('list')
    .option('--server <id>', 'only the streams of this server')
    .option('--json', 'one JSON document')
    .action(async (o) => {
      await ready();
      const items = [];
      let cursor: string | undefined;
      do {
        const page = await listStreams(cliActor, { limit: 500, cursor, serverId: o.server });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (o.json) print(JSON.stringify(items, null, 2));
      else for (const s of items) print(`${s.id}  ${s.protocol}/${s.listenPort}  server ${s.serverId}  upstream ${s.upstreamId}  ${s.status}`);
    });

  program
    .command('domains')
    .description('domains')
    .command('logs')
    .description("the last lines of a domain's access or error log (read on the server over SSH)")
    .requiredOption('--id <domainId>')
    .option('--kind <kind>', 'access or error', 'access')
    .option('--lines <n>', 'how many lines', '200')
    .action(async (o) => {
      await ready();
      const query = parseInput(logQuery, { kind: o.kind, lines: o.lines });
      const r = await readDomainLog(cliActor, o.id, query);
      for (const l of r.lines) print(l.text);
    });
}
