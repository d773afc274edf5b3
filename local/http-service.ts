/**
 * What every local HTTP stand-in shares: a request body read with a size limit (as the real
 * service refuses an oversize request), and a listener on the loopback address only.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

/** The whole body, or `RequestTooLargeError` as soon as it passes `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RequestTooLargeError('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface LocalListener {
  readonly endpoint: string;
  /** Closes the server, dropping kept-alive connections so that it stops at once. */
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0: any free one); never on another interface. */
export async function listenLocal(server: Server, port = 0): Promise<LocalListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
