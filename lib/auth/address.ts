import { randomBytes } from 'node:crypto';
import { config } from '../config';
import { inAnyRange, normalizeIp, type CidrRange } from '../net/cidr';

/**
 * The client address, for audit and sign-in rate limits.
 *
 * Next.js does not hand route handlers the socket: it only fills X-Forwarded-For with the socket
 * address when a request has none, so a client that sends its own header hides its address. So
 * lib/http/peer.ts stamps every request as it arrives (before Next sees it) with the socket peer
 * in PEER_HEADER, marked with a random per-process value a client cannot know; a client-sent
 * PEER_HEADER is overwritten, and one without the mark is ignored.
 *
 * From that peer: when it is in TRUSTED_PROXIES (default loopback only), X-Forwarded-For is read
 * from the right, skipping trusted proxies, and the first address that is not one is the client;
 * otherwise the peer itself is the client, whatever the headers say. Without a stamped peer
 * (no socket: the CLI, in-process tests) the address is unknown (null): only the per-account
 * limit applies.
 */
export const PEER_HEADER = 'x-gatehouse-peer';

const MARK_KEY = Symbol.for('gatehouse.peerMark');

/** The per-process mark of a stamped peer (on globalThis: every bundled copy of lib shares it). */
export function peerMark(): string {
  const g = globalThis as { [MARK_KEY]?: string };
  g[MARK_KEY] ??= randomBytes(18).toString('base64url');
  return g[MARK_KEY];
}

/** The PEER_HEADER value for a socket peer address. */
export const peerHeaderValue = (address: string): string => `${peerMark()} ${address}`;

/** The stamped socket peer, or null when the request carries no (genuine) stamp. */
export function peerOf(headers: Headers): string | null {
  const value = headers.get(PEER_HEADER);
  if (!value) return null;
  const [mark, address] = value.split(' ');
  if (mark !== peerMark() || !address) return null;
  return normalizeIp(address);
}

export function addressOf(headers: Headers, trusted: readonly CidrRange[] = config().TRUSTED_PROXIES): string | null {
  const peer = peerOf(headers);
  if (!peer || !inAnyRange(peer, trusted)) return peer;
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    // Garbage where an address should be: stop at the last hop we could read.
    if (!hop) break;
    client = hop;
    if (!inAnyRange(hop, trusted)) break;
  }
  return client;
}
