import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { trackConnections } from './connections.js';

export interface GracefulCloser {
  readonly closing: boolean;
  /** Stops accepting, lets in-flight responses finish, destroys what is left after `deadlineMs`. */
  close(deadlineMs: number): Promise<void>;
  /** Call when a response ends: during shutdown its keep-alive socket should go too. */
  responseEnded(): void;
}

/** Call before the server accepts anything: it follows every connection from its start. */
export function createGracefulCloser(server: HttpServer | HttpsServer): GracefulCloser {
  const connections = trackConnections(server);
  let closed: Promise<void> | undefined;
  return {
    get closing() {
      return closed !== undefined;
    },
    close(deadlineMs) {
      closed ??= new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        const deadline = setTimeout(() => {
          server.closeAllConnections();
          // Also the sockets Node's list never had or gave up (see connections.ts).
          connections.destroyAll();
        }, deadlineMs);
        server.close((error) => {
          clearTimeout(deadline);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
        // Like an idle connection, one still in its TLS handshake has nothing in flight.
        connections.destroyHandshaking();
      });
      return closed;
    },
    responseEnded() {
      // closeIdleConnections() above only saw the sockets idle at that moment; a response that
      // was in flight leaves a keep-alive socket behind that would otherwise wait for the deadline.
      if (closed !== undefined) server.closeIdleConnections();
    },
  };
}
