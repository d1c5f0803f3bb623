/**
 * ACME failures in plain words. ACME servers answer with RFC 8555 problem documents
 * (`urn:ietf:params:acme:error:<type>`); acme-client keeps only their `detail`, which is full of
 * URLs and addresses, so lib/certs/acme-client.ts records the type and we explain it here.
 * A task error never carries a URL or an IP address; the task log gets the detail scrubbed.
 */
import { isIPv6 } from 'node:net';
import { SshError } from '../ssh/errors';

export interface AcmeProblem {
  type: string;
  detail?: string;
  status?: number;
  subproblems?: AcmeProblem[];
}

const PREFIX = 'urn:ietf:params:acme:error:';

/** What a failed step was doing, for sentences such as "…while validating the challenge". */
export type AcmeStep = 'account' | 'order' | 'challenge' | 'validation' | 'finalize' | 'download' | 'deploy';

function sentence(type: string, names: string, httpPort: number): string | null {
  const port = httpPort === 80 ? 'port 80' : `port ${httpPort}`;
  switch (type) {
    case 'connection':
      return `The CA could not connect to ${names} on ${port} to check the challenge. Make sure the name points at this server and that ${port} is open to the internet (firewall, security group, router).`;
    case 'dns':
      return `The CA could not look up ${names} in DNS. Check that the DNS records exist and that the name servers answer.`;
    case 'unauthorized':
      return `The CA fetched the challenge for ${names} but got the wrong answer. The name may point at another server, or a proxy or CDN in front of it may be answering instead of this Nginx.`;
    case 'incorrectResponse':
      return `The challenge answer served for ${names} did not match. Another server or proxy may be answering for this name.`;
    case 'caa':
      return `A CAA record in the DNS of ${names} forbids this CA from issuing for it. Allow the CA in the CAA record or remove it.`;
    case 'rateLimited':
      return 'The CA is rate limiting these requests (too many certificates or failed attempts for this name recently). Gatehouse will try again later; waiting an hour or more usually helps.';
    case 'rejectedIdentifier':
    case 'unsupportedIdentifier':
      return `The CA will not issue a certificate for ${names} (for example a reserved, internal or blocked name).`;
    case 'tls':
      return `The CA had a TLS problem while checking ${names}. The HTTP challenge may be redirected to HTTPS with a broken certificate.`;
    case 'badCSR':
      return 'The CA refused the certificate request. This is a bug in Gatehouse; please report it.';
    case 'malformed':
      return 'The CA refused the request as malformed. Check the ACME directory URL in Settings; it may not be an ACME server.';
    case 'accountDoesNotExist':
      return 'The CA does not know the ACME account. It may have been deactivated; Gatehouse registers it again on the next attempt.';
    case 'externalAccountRequired':
      return 'This CA needs external account binding (EAB), which Gatehouse does not support yet.';
    case 'invalidContact':
    case 'unsupportedContact':
      return 'The CA refused the ACME contact e-mail. Set a valid address in Settings (ACME e-mail) or leave it empty.';
    case 'userActionRequired':
      return 'The CA requires you to act first (for example to accept new terms of service) on its website.';
    case 'serverInternal':
      return 'The CA had an internal error. Try again later.';
    case 'badNonce':
    case 'orderNotReady':
      return 'The CA and Gatehouse got out of step during the order. Try again.';
    default:
      return null;
  }
}

const DNS_HINT = /could not resolve|NXDOMAIN|SERVFAIL|no valid (A|AAAA) records|DNS problem|no such host/i;

/** A plain sentence for an ACME problem (compound problems: their first subproblem). */
export function explainProblem(problem: AcmeProblem, names: string[], httpPort = 80): string {
  const picked = problem.type === `${PREFIX}compound` && problem.subproblems?.length ? problem.subproblems[0] : problem;
  let type = picked.type.startsWith(PREFIX) ? picked.type.slice(PREFIX.length) : picked.type;
  // Some CAs (pebble, older Boulder paths) report a failed name lookup as a connection problem.
  if (type === 'connection' && DNS_HINT.test(picked.detail ?? '')) type = 'dns';
  const list = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return sentence(type, list || 'the domain', httpPort) ?? `The CA refused the request (${type.replace(/[^A-Za-z]/g, '') || 'unknown problem'}).`;
}

/** Technical text with URLs and IP addresses replaced: for task logs, which users may read. */
export function scrubDetail(text: string): string {
  return text
    .replace(/[a-z][a-z0-9+.-]{0,30}:\/\/[^\s<>"'`]*/gi, '[url]')
    .replace(/\[([0-9a-f:.]+)\](?::\d+)?/gi, (m, inner: string) => (isIPv6(inner) ? '[ip]' : m))
    .replace(/(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi, (m) => (isIPv6(m) ? '[ip]' : m))
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[ip]')
    .slice(0, 1000);
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'its host name does not resolve',
  EAI_AGAIN: 'its host name could not be resolved right now',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the request timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not trusted',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another name',
};

const STEP_WORDS: Record<AcmeStep, string> = {
  account: 'registering the ACME account',
  order: 'placing the order',
  challenge: 'writing the challenge file on the server',
  validation: 'validating the challenge',
  finalize: 'finalizing the order',
  download: 'downloading the certificate',
  deploy: 'deploying the certificate',
};

/**
 * The user-facing message for anything that failed during issuance: an ACME problem (if one was
 * seen), a network error on the way to the CA, an SSH error, or a generic line naming the step.
 */
export function explainFailure(err: unknown, ctx: { step: AcmeStep; names: string[]; httpPort: number; problem?: AcmeProblem | null }): string {
  if (ctx.problem?.type) return explainProblem(ctx.problem, ctx.names, ctx.httpPort);
  if (err instanceof SshError) return `Could not reach the server over SSH while ${STEP_WORDS[ctx.step]}: ${err.message}`;
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if (code && NETWORK[code]) return `Gatehouse could not talk to the ACME server: ${NETWORK[code]}. Check the ACME directory URL in Settings and this machine's network.`;
  if (/status code 404|directory returned error/i.test(String((err as Error)?.message))) {
    return 'The ACME directory URL does not point at an ACME server. Check it in Settings.';
  }
  return `Issuing failed while ${STEP_WORDS[ctx.step]}.`;
}
