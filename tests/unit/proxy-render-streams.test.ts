import { describe, expect, it } from 'vitest';
import { renderStreamsFile, streamUpstreamName } from '@/lib/proxy/render-streams';
import { checkRenderedConfig } from '@/lib/nginx/syntax';
import type { Upstream } from '@/lib/proxy/types';

const target = (host: string, port: number, extra: Partial<Upstream['targets'][number]> = {}) => ({ host, port, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10, ...extra });
const pool = (id: string, name: string, method: Upstream['method'], targets: Upstream['targets']): Upstream => ({ id, name, method, keepalive: 16, healthCheck: null, targets });

describe('streams.conf', () => {
  const tcp = pool('u1', 'pg', 'least_conn', [target('10.0.0.5', 5432), target('10.0.0.6', 5432, { backup: true })]);
  const udp = pool('u2', 'dns', 'ip_hash', [target('ns.internal', 53)]);

  it('holds only a comment without streams, so Nginx without the module still passes nginx -t', () => {
    const text = renderStreamsFile([], [tcp]);
    expect(text).not.toMatch(/stream\s*\{/);
    expect(text.split('\n').every((l) => l === '' || l.startsWith('#'))).toBe(true);
  });

  it('renders one stream block: a pool per used upstream and a server per stream', () => {
    const text = renderStreamsFile(
      [
        { id: 's2', protocol: 'udp', listenPort: 53, upstreamId: 'u2' },
        { id: 's1', protocol: 'tcp', listenPort: 5432, upstreamId: 'u1' },
      ],
      [tcp, udp, pool('u3', 'unused', 'round_robin', [target('10.0.0.9', 80)])],
      { 'ns.internal': ['10.0.0.53'] },
    );
    expect(text.match(/^stream \{$/gm)).toHaveLength(1);
    expect(text).toContain(`upstream ${streamUpstreamName(tcp)} {\n        least_conn;`);
    expect(text).toContain('hash $remote_addr consistent;');
    expect(text).toContain('server 10.0.0.6:5432 weight=1 max_fails=1 fail_timeout=10s backup;');
    expect(text).toContain('server 10.0.0.53:53 weight=1');
    expect(text).not.toContain('keepalive');
    expect(text).not.toContain('unused');
    expect(text.indexOf('listen 53 udp;')).toBeLessThan(text.indexOf('listen 5432;'));
    expect(checkRenderedConfig(text)).toEqual({ ok: true });
  });

  it('refuses what the grammar refuses', () => {
    expect(() => renderStreamsFile([{ id: 's', protocol: 'tcp', listenPort: 70000, upstreamId: 'u1' }], [tcp])).toThrow(/listenPort/);
    expect(() => renderStreamsFile([{ id: 's', protocol: 'sctp' as 'tcp', listenPort: 70, upstreamId: 'u1' }], [tcp])).toThrow(/protocol/);
    expect(() => renderStreamsFile([{ id: 's', protocol: 'tcp', listenPort: 70, upstreamId: 'gone' }], [tcp])).toThrow(/upstream is missing/);
    expect(() => renderStreamsFile([{ id: 's', protocol: 'tcp', listenPort: 70, upstreamId: 'u1' }], [pool('u1', 'Bad Name;', 'round_robin', [target('10.0.0.1', 1)])])).toThrow();
  });
});
