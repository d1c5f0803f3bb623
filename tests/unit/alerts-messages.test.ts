import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, ALERT_STATES, composeAlertMessage, formatDuration, type AlertMessageInput } from '@/lib/alerts/messages';

const base = { startedAt: '2025-11-26T05:37:00Z', resolvedAt: '2025-11-26T06:49:30Z', now: '2025-11-26T08:00:00Z' };

describe('composeAlertMessage', () => {
  it('writes a fired CPU alert', () => {
    const html = composeAlertMessage({
      ...base,
      kind: 'cpu',
      state: 'fired',
      severity: 'critical',
      server: { name: 'web-1' },
      value: 93.44,
      threshold: 90,
      durationSeconds: 300,
    });
    expect(html).toBe(
      ['🔴 <b>Critical</b> · CPU usage high', 'Server: <b>web-1</b>', 'CPU 93.4% (threshold 90%) for 5m', 'Since 2025-11-26 05:37 UTC'].join('\n'),
    );
  });

  it('writes a resolved disk alert with its mount', () => {
    const html = composeAlertMessage({ ...base, kind: 'disk', state: 'resolved', severity: 'warning', server: { name: 'db' }, mount: '/var/lib', value: 71 });
    expect(html).toBe(
      ['✅ <b>Resolved</b> · Disk usage back to normal', 'Server: <b>db</b>', 'Mount: <code>/var/lib</code>', 'Now: Disk 71% used', 'Lasted 1h 12m'].join('\n'),
    );
  });

  it('writes a reminder for a certificate, with the domain masked', () => {
    const html = composeAlertMessage({ ...base, kind: 'cert_expiry', state: 'reminder', severity: 'warning', domain: { fqdn: 'shop.example.com' }, value: 6, threshold: 14 });
    expect(html).toBe(
      [
        '🔁 <b>Still open</b> · Certificate expiring soon',
        'Domain: <b>s***.ex***le.com</b>',
        'Expires in 6 days (alert window 14 days)',
        'Open for 2h 23m, since 2025-11-26 05:37 UTC',
      ].join('\n'),
    );
  });

  it('reduces a deploy failure detail to safe text', () => {
    const html = composeAlertMessage({
      ...base,
      kind: 'deploy_failed',
      state: 'fired',
      severity: 'critical',
      server: { name: 'edge-eu' },
      detail: 'nginx: [emerg] host not found in upstream "10.0.0.7:8080" in /etc/nginx/gatehouse/sites/shop.example.com.conf:12',
    });
    expect(html).toContain('<code>nginx: [emerg] host not found in upstream &quot;[host]&quot; in /etc/nginx/gatehouse/sites/s***.ex***le.com.conf:12</code>');
  });

  it('says what a changed host key means while it is open, without the fingerprint', () => {
    const at = (state: 'fired' | 'reminder' | 'resolved') => composeAlertMessage({ ...base, kind: 'host_key_changed', state, severity: 'critical', server: { name: 'edge-eu' } });
    expect(at('fired')).toBe(
      ['🔴 <b>Critical</b> · SSH host key changed', 'Server: <b>edge-eu</b>', 'Gatehouse refuses to connect until an admin checks the new key and trusts it.', 'Since 2025-11-26 05:37 UTC'].join(
        '\n',
      ),
    );
    expect(at('reminder')).toContain('\nGatehouse refuses to connect until');
    expect(at('resolved')).toBe(['✅ <b>Resolved</b> · New SSH host key trusted', 'Server: <b>edge-eu</b>', 'Lasted 1h 12m'].join('\n'));
  });

  it('names servers only by a safe form of their Gatehouse name, escaped', () => {
    const at = (name: string) => composeAlertMessage({ ...base, kind: 'server_down', state: 'fired', severity: 'critical', server: { name }, durationSeconds: 90 });
    expect(at('<script>&')).toContain('Server: <b>&lt;script&gt;&amp;</b>');
    expect(at('10.0.0.5')).toContain('Server: <b>[ip]</b>');
    expect(at('web01.example.com')).toContain('Server: <b>we***01.ex***le.com</b>');
    expect(at('  ')).toContain('Server: <b>(unnamed)</b>');
    expect(at('web-1')).toContain('Unreachable for 1m');
  });

  it('says expired for a certificate past its date', () => {
    const html = composeAlertMessage({ ...base, kind: 'cert_expiry', state: 'fired', severity: 'critical', domain: { fqdn: 'a.example.org' }, value: -1 });
    expect(html).toContain('Certificate expired');
    expect(html).toContain('\nExpired\n');
  });

  it('has a distinct text for every kind and state', () => {
    const seen = new Set<string>();
    for (const kind of ALERT_KINDS) {
      for (const state of ALERT_STATES) {
        const input: AlertMessageInput = { ...base, kind, state, severity: 'warning', server: { name: 's' }, value: 5, threshold: 3 };
        const first = composeAlertMessage(input).split('\n')[0]!;
        seen.add(`${state}:${first}`);
      }
    }
    expect(seen.size).toBe(ALERT_KINDS.length * ALERT_STATES.length);
  });

  it('skips missing or non-finite numbers instead of printing NaN', () => {
    const html = composeAlertMessage({ ...base, kind: 'load', state: 'fired', severity: 'info', server: { name: 's' }, value: Number.NaN, startedAt: 'not a date' });
    expect(html).not.toMatch(/NaN|undefined|Invalid/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [300, '5m'],
    [3900, '1h 5m'],
    [7200, '2h'],
    [183_600, '2d 3h'],
  ])('%s s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
