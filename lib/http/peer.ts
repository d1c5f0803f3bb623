import http from 'node:http';
import https from 'node:https';
import { PEER_HEADER, peerHeaderValue } from '../auth/address';

/**
 * Stamps every incoming HTTP request with its socket peer (lib/auth/address.ts explains why):
 * Next.js gives route handlers, server actions and next-auth a Request without the socket, so
 * the address is written into a header at the one place that still has both, the 'request'
 * event of Node's HTTP server. Installed once per process from lib/startup.ts (instrumentation),
 * before Next handles requests; it wraps `emit` of the http and https Server prototypes, so the
 * server `next start` makes is covered whenever it was created. A header the client sent under
 * the same name is replaced.
 */
const INSTALLED = Symbol.for('gatehouse.peerStamp');

export function stampPeer(req: http.IncomingMessage): void {
  const address = req.socket?.remoteAddress;
  if (address) req.headers[PEER_HEADER] = peerHeaderValue(address);
  else delete req.headers[PEER_HEADER];
}

export function installPeerStamp(): void {
  for (const proto of [http.Server.prototype, https.Server.prototype] as { emit: (...args: unknown[]) => boolean; [INSTALLED]?: true }[]) {
    if (Object.prototype.hasOwnProperty.call(proto, INSTALLED)) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
      if (event === 'request' || event === 'upgrade') stampPeer(args[0] as http.IncomingMessage);
      return emit.call(this, event, ...args);
    };
    Object.defineProperty(proto, INSTALLED, { value: true });
  }
}
