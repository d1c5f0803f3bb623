/**
 * Multi-line fields arrive from a browser's textarea with CRLF line ends (HTML's form encoding
 * normalises every line break to CRLF). Each one must be accepted and stored with LF, through the
 * same zod schema that the API and the console's forms both parse with.
 */
import { describe, expect, it } from 'vitest';
import { multilineString, toLf } from '@/lib/nginx/grammar';
import { domainInput, domainPatch, templateInput, templatePatch } from '@/lib/proxy/schemas';
import { previewInput } from '@/lib/proxy/dto';
import { BUILTIN_HTTP_BODY, BUILTIN_SSL_BODY } from '@/lib/proxy/templates/builtin';
import { certificateCreateInput } from '@/lib/certs/schemas';
import { serverCreateInput, serverPatchInput } from '@/lib/servers/schemas';

const crlf = (s: string) => s.replace(/\n/g, '\r\n');
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\nAbCdEf==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nAAAAAAAB\n-----END OPENSSH PRIVATE KEY-----\n';

describe('toLf and multilineString', () => {
  it('turns CRLF into LF, leaves LF text alone and a lone CR for the checks to refuse', () => {
    expect(toLf('a\r\nb\rc\nd')).toBe('a\nb\rc\nd');
    expect(toLf('a\nb\n')).toBe('a\nb\n');
    expect(toLf('\r\n\r\n')).toBe('\n\n');
  });

  it('normalises before the checks after it, so a length or a refinement sees LF text', () => {
    const s = multilineString().max(3).refine((v) => !v.includes('\r'), 'has CR');
    expect(s.parse('a\r\nb')).toBe('a\nb');
    expect(s.safeParse('ab\r\nc').success).toBe(false); // 4 characters after normalising
  });

  it('keeps its type a plain string for the OpenAPI document', () => {
    expect(multilineString().max(5).safeParse(5).success).toBe(false);
  });
});

describe('every multi-line field accepts CRLF and outputs LF', () => {
  it('template bodies (create, patch, preview), built-in bodies included', () => {
    for (const [kind, body] of [['http', BUILTIN_HTTP_BODY], ['ssl', BUILTIN_SSL_BODY]] as const) {
      const r = templateInput.safeParse({ name: 'mine', kind, body: crlf(body) });
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      expect(r.data!.body).toBe(body);
      expect(templatePatch.parse({ body: crlf(body) }).body).toBe(body);
      expect(previewInput.parse({ body: crlf(body), domainId: 'd1' }).body).toBe(body);
    }
  });

  it('custom directives on a domain (create and patch)', () => {
    const text = 'gzip on;\nproxy_read_timeout 60s;\n';
    const input = { fqdn: 'app.example.com', serverId: 's1', upstreamId: 'u1', customDirectives: crlf(text) };
    expect(domainInput.parse(input).customDirectives).toBe(text);
    expect(domainPatch.parse({ customDirectives: crlf(text) }).customDirectives).toBe(text);
  });

  it('certificate, private key and chain PEM fields', () => {
    const r = certificateCreateInput.parse({ certificatePem: crlf(PEM), privateKeyPem: crlf(KEY), chainPem: crlf(PEM) });
    expect([r.certificatePem, r.privateKeyPem, r.chainPem]).toEqual([PEM, KEY, PEM]);
  });

  it('SSH private keys on a server (create and patch)', () => {
    const r = serverCreateInput.parse({ name: 'web', host: '10.0.0.5', authMethod: 'key', privateKey: crlf(KEY) });
    expect(r.privateKey).toBe(KEY);
    expect(serverPatchInput.parse({ privateKey: crlf(KEY) }).privateKey).toBe(KEY);
  });
});
