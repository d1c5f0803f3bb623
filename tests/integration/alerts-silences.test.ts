import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';
import { systemActor } from '@/lib/access/actor';
import { createSilence, deleteSilence } from '@/lib/alerts/silences';
import { addDomain, addServer, addUpstream, alertingSuite, alertRows, notificationRows, poll, setDomain, setServerStatus } from './alerts-fixtures';

/**
 * Silences and maintenance windows: incidents are recorded, messages held; when the silence
 * ends, an incident still open is announced, a resolution of one announced before is sent, and
 * one that opened and closed inside the window is never sent.
 */
const TOKEN = '123456:ABC-silence-test-token-abcdefghijkl';

describe.each(dialects)('silences on %s', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '-100777' });
  const { clock } = suite;

  const polls = async (n: number) => {
    for (let i = 0; i < n; i++) await poll(clock);
  };
  const silence = (target: { serverId?: string; domainId?: string }, minutes: number, startsInMinutes = 0) =>
    createSilence(
      systemActor,
      {
        ...target,
        startsAt: new Date(clock.now.getTime() + startsInMinutes * 60_000).toISOString(),
        endsAt: new Date(clock.now.getTime() + (startsInMinutes + minutes) * 60_000).toISOString(),
        reason: 'kernel upgrade',
      },
      clock.now,
    );
  const heads = () => suite.tg.messages.map((m) => m.text!.split('\n')[0]);

  it('an incident that opens and closes inside the window is recorded but never sent', async () => {
    const web = await addServer('web01');
    await silence({ serverId: web }, 30);
    await setServerStatus(web, 'down');
    await polls(4);
    await setServerStatus(web, 'up');
    await polls(8);
    const [alert] = await alertRows();
    expect(alert).toMatchObject({ state: 'resolved', kind: 'server_down', silenced: true });
    expect((await notificationRows()).map((n) => [n.kind, n.status])).toEqual([['fired', 'held'], ['resolved', 'held']]);
    await polls(4 * 30); // past the end of the silence
    expect(suite.tg.calls).toHaveLength(0);
    expect((await notificationRows()).map((n) => [n.status, n.lastError])).toEqual([
      ['dead', 'Not sent: held by a silence.'],
      ['dead', 'Not sent: held by a silence.'],
    ]);
  });

  it('an incident still open when the window ends is announced then, and its resolution later', async () => {
    const web = await addServer('web01');
    await silence({ serverId: web }, 10);
    await setServerStatus(web, 'down');
    await polls(4 * 9);
    expect(suite.tg.calls).toHaveLength(0);
    await polls(4 * 2);
    expect(heads()).toEqual(['🔴 <b>Critical</b> · Server unreachable']);
    await setServerStatus(web, 'up');
    await polls(8);
    expect(heads()).toEqual(['🔴 <b>Critical</b> · Server unreachable', '✅ <b>Resolved</b> · Server reachable again']);
  });

  it('an incident announced before the window that closes during it gets its resolution when the window ends', async () => {
    const web = await addServer('web01');
    await setServerStatus(web, 'down');
    await polls(2);
    expect(suite.tg.messages).toHaveLength(1);
    const s = await silence({ serverId: web }, 60);
    await setServerStatus(web, 'up');
    await polls(8);
    expect((await alertRows())[0]!.state).toBe('resolved');
    expect(suite.tg.messages).toHaveLength(1);
    await deleteSilence(systemActor, s.id); // ending it early releases the same way
    await polls(1);
    expect(heads()).toEqual(['🔴 <b>Critical</b> · Server unreachable', '✅ <b>Resolved</b> · Server reachable again']);
  });

  it('a domain silence covers that domain only; a server silence covers its domains too', async () => {
    const web = await addServer('web01');
    const pool = await addUpstream('app', [{ host: '10.0.0.9', health: 'up' }]);
    const shop = await addDomain('shop.example.com', web, pool);
    const blog = await addDomain('blog.example.com', web, pool);
    await silence({ domainId: shop }, 60);
    await setDomain(shop, { nsStatus: 'mismatch' });
    await setDomain(blog, { nsStatus: 'mismatch' });
    await polls(2);
    expect(suite.tg.messages).toHaveLength(1);
    expect(suite.tg.messages[0]!.text).toContain('b***.ex***le.com');
    await silence({ serverId: web }, 60);
    await setDomain(blog, { status: 'drifted' });
    await polls(2);
    expect(suite.tg.messages).toHaveLength(1);
    expect((await alertRows()).filter((a) => a.state === 'firing')).toHaveLength(3);
  });

  it('a maintenance window in the future does not mute anything before it starts', async () => {
    const web = await addServer('web01');
    await silence({ serverId: web }, 60, 30);
    await setServerStatus(web, 'down');
    await polls(1);
    expect(suite.tg.messages).toHaveLength(1);
    expect(suite.tg.messages[0]!.chat_id).toBe('-100777');
  });
});
