import { describe, expect, it } from 'vitest';
import { explainFailure, explainProblem, scrubDetail } from '@/lib/certs/acme-problems';
import { retryDelayMs, renewalDue } from '@/lib/certs/renewal';
import { SshConnectError } from '@/lib/ssh/errors';

const URL_OR_IP = /https?:\/\/|\b\d{1,3}(\.\d{1,3}){3}\b|::1/;
const p = (type: string, detail = 'x') => ({ type: `urn:ietf:params:acme:error:${type}`, detail });

describe('ACME problems in plain words', () => {
  it('explains validation and rate-limit problems without URLs or addresses', () => {
    const names = ['app.example.com', 'www.app.example.com'];
    const types = ['connection', 'dns', 'unauthorized', 'incorrectResponse', 'caa', 'rateLimited', 'rejectedIdentifier', 'tls', 'malformed', 'serverInternal', 'badNonce', 'somethingNew'];
    for (const type of types) {
      const text = explainProblem(p(type, '127.0.0.1: Fetching http://app.example.com/.well-known/acme-challenge/abc: Connection refused'), names, 8080);
      expect(text, type).not.toMatch(URL_OR_IP);
      expect(text.length, type).toBeGreaterThan(20);
    }
    expect(explainProblem(p('connection'), names, 80)).toMatch(/could not connect to app\.example\.com, www\.app\.example\.com on port 80/);
    expect(explainProblem(p('rateLimited'), names)).toMatch(/rate limiting/);
    expect(explainProblem(p('somethingNew'), names)).toBe('The CA refused the request (somethingNew).');
  });

  it('reads a failed name lookup reported as a connection problem as a DNS problem', () => {
    expect(explainProblem(p('connection', 'Get "http://x.example.com/.well-known/acme-challenge/t": could not resolve URL'), ['x.example.com'])).toMatch(/look up x\.example\.com in DNS/);
    expect(explainProblem(p('connection', 'connection refused'), ['x.example.com'])).toMatch(/could not connect/);
  });

  it('takes the first subproblem of a compound problem', () => {
    const compound = { type: 'urn:ietf:params:acme:error:compound', subproblems: [p('dns'), p('connection')] };
    expect(explainProblem(compound, ['a.example.com'])).toMatch(/look up a\.example\.com in DNS/);
  });

  it('explains network, SSH and unknown failures by step', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:14000'), { code: 'ECONNREFUSED' });
    expect(explainFailure(refused, { step: 'account', names: [], httpPort: 80 })).toMatch(/could not talk to the ACME server: the connection was refused/);
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(explainFailure(untrusted, { step: 'account', names: [], httpPort: 80 })).toMatch(/not trusted/);
    expect(explainFailure(new SshConnectError('refused', 'root@10.0.0.1:22'), { step: 'challenge', names: [], httpPort: 80 })).toMatch(/over SSH while writing the challenge file/);
    expect(explainFailure(new Error('boom http://10.0.0.1/'), { step: 'finalize', names: [], httpPort: 80 })).toBe('Issuing failed while finalizing the order.');
  });

  it('scrubs URLs and addresses from details written to task logs', () => {
    const s = scrubDetail('127.0.0.1:5002: Fetching http://app.example.com:5002/.well-known/acme-challenge/x: dial tcp [::1]:80 refused by 2001:db8::1');
    expect(s).not.toMatch(URL_OR_IP);
    expect(s).not.toMatch(/2001:db8/);
    expect(s).toMatch(/\[url\]/);
  });
});

describe('renewal timing', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  const day = 86_400_000;
  const row = (over: Partial<Parameters<typeof renewalDue>[0]> = {}) => ({
    source: 'acme' as const,
    notAfter: new Date(now.getTime() + 20 * day),
    renewAttempts: 0,
    updatedAt: new Date(now.getTime() - 60_000),
    certificatePem: 'pem',
    domainId: 'd1',
    names: ['app.example.com'],
    ...over,
  });

  it('renews ACME certificates inside 30 days, never custom ones or those far from expiry', () => {
    expect(renewalDue(row(), now)).toBe(true);
    expect(renewalDue(row({ notAfter: new Date(now.getTime() + 31 * day) }), now)).toBe(false);
    expect(renewalDue(row({ source: 'custom' }), now)).toBe(false);
    expect(renewalDue(row({ certificatePem: null }), now)).toBe(false);
    expect(renewalDue(row({ notAfter: new Date(now.getTime() - day) }), now)).toBe(true);
  });

  it('re-issues at once when the domain gained a name the certificate does not cover', () => {
    const far = { notAfter: new Date(now.getTime() + 80 * day) };
    expect(renewalDue(row(far), now, ['app.example.com'])).toBe(false);
    expect(renewalDue(row(far), now, ['app.example.com', 'www.app.example.com'])).toBe(true);
    expect(renewalDue(row({ ...far, names: ['app.example.com', '*.app.example.com'] }), now, ['app.example.com', 'www.app.example.com'])).toBe(false);
    expect(renewalDue(row({ ...far, renewAttempts: 3 }), now, ['new.example.com'])).toBe(false);
  });

  it('backs off after failures: 1 h, doubling, at most a day', () => {
    expect([0, 1, 2, 3, 5, 6, 10].map((n) => retryDelayMs(n) / 3_600_000)).toEqual([0, 1, 2, 4, 16, 24, 24]);
    expect(renewalDue(row({ renewAttempts: 2, updatedAt: new Date(now.getTime() - 90 * 60_000) }), now)).toBe(false);
    expect(renewalDue(row({ renewAttempts: 2, updatedAt: new Date(now.getTime() - 2 * 3_600_000) }), now)).toBe(true);
  });
});
