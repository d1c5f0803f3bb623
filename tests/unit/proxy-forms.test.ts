import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { domainInputFromForm, foldListErrors, upstreamInputFromForm } from '@/lib/proxy/forms';
import { referencedUpstreamNames } from '@/lib/proxy/config-set';
import { domainInput, upstreamInput } from '@/lib/proxy/schemas';

describe('console forms', () => {
  it('builds a domain input the schema accepts from flat fields', () => {
    const input = domainInputFromForm({
      fqdn: 'app.example.com', aliases: 'www.example.com\n*.example.com, api.example.com', serverId: 's1', upstreamId: 'u1', templateId: '',
      'ssl.mode': 'acme', 'ssl.forceHttps': true, websocket: true, clientMaxBodySize: '', 'nameservers.expected': 'ns1.example.net ns2.example.net', 'nameservers.pattern': '',
    });
    expect(input).toMatchObject({ aliases: ['www.example.com', '*.example.com', 'api.example.com'], templateId: null, clientMaxBodySize: '1m', nameservers: { pattern: null } });
    const parsed = domainInput.parse(input);
    expect(parsed.ssl).toEqual({ mode: 'acme', certificateId: null, forceHttps: true, hsts: false, http2: true });
  });

  it('builds upstream targets from numbered rows, numbers from text', () => {
    const input = upstreamInputFromForm({
      name: 'pool', method: 'least_conn', keepalive: '16', 'healthCheck.type': 'http', 'healthCheck.path': '/health', 'healthCheck.intervalSeconds': '30',
      'targets.0.host': '10.0.0.1', 'targets.0.port': '8080', 'targets.0.weight': '2', 'targets.0.backup': false,
      'targets.2.host': 'backup.internal', 'targets.2.port': '8081', 'targets.2.backup': true,
    });
    expect(upstreamInput.parse(input)).toEqual({
      name: 'pool', method: 'least_conn', keepalive: 16, healthCheck: { type: 'http', path: '/health', intervalSeconds: 30 },
      targets: [
        { host: '10.0.0.1', port: 8080, weight: 2, backup: false, maxFails: 1, failTimeoutSeconds: 10 },
        { host: 'backup.internal', port: 8081, weight: 1, backup: true, maxFails: 1, failTimeoutSeconds: 10 },
      ],
    });
    // Text that is not a number reaches the schema as text: its own message names the field.
    const bad = upstreamInput.safeParse(upstreamInputFromForm({ name: 'p', 'targets.0.host': 'a', 'targets.0.port': 'eighty' }));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['targets', 0, 'port']);
  });

  it('shows errors of list items on the list\'s input, naming the item', () => {
    const err = new ValidationError({ 'aliases.1': ['Not a valid host name.'], fqdn: ['Enter a host name.'] });
    const folded = foldListErrors(err, ['aliases'], { aliases: ['ok.example.com', 'bad_name'] }) as ValidationError;
    expect(folded.fields).toEqual({ aliases: ['bad_name: Not a valid host name.'], fqdn: ['Enter a host name.'] });
  });

  it('finds the pools deployed files proxy to', () => {
    const names = referencedUpstreamNames(['proxy_pass http://gh_app_1a2b3c4d;\nproxy_set_header Connection $gh_connection_upgrade;', 'proxy_pass http://gh_api_v2_00ff00ff;']);
    expect([...names].sort()).toEqual(['gh_api_v2_00ff00ff', 'gh_app_1a2b3c4d']);
  });
});
