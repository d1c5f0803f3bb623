import net from 'node:net';
import dgram from 'node:dgram';

/**
 * Asks the OS for a free TCP port: listen on port 0, read the port it chose, close.
 * Another process may still take the port before ours binds it, so helpers that start a
 * child process retry with a fresh port when the child reports "address in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('freePort: the OS returned no port');
  return address.port;
}

/** A port free for both TCP and UDP on `host` (a DNS server listens on both). */
export async function freeTcpUdpPort(host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freePort(host);
    if (await udpPortFree(host, port)) return port;
  }
  throw new Error(`freeTcpUdpPort: no port free for both TCP and UDP on ${host} after ${attempts} tries`);
}

/** Several distinct free TCP ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

async function udpPortFree(host: string, port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host, port, exclusive: true }, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
