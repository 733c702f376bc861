import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';

/**
 * Every TCP connection the server accepted, from accept to close. Node's own list, the one
 * closeIdleConnections() and closeAllConnections() act on, gets a TLS connection only once its
 * handshake is done, and loses a socket handed to a 'connect' listener: a client that connects
 * and says nothing would otherwise hold server.close() open until it left.
 */
export interface Connections {
  /** Connections still in their TLS handshake; no request can be in flight on them. */
  destroyHandshaking(): void;
  /** Every connection, whatever state it is in. */
  destroyAll(): void;
}

export function trackConnections(server: HttpServer | HttpsServer): Connections {
  const all = new Set<Socket>();
  // Keyed by the TCP 4-tuple: the TLSSocket that 'secureConnection' hands over wraps the raw
  // socket's handle and reports the same addresses, and Node has no public link between the two.
  const handshaking = new Map<string, Socket>();
  const tls = server instanceof TlsServer;

  server.on('connection', (socket: Socket) => {
    all.add(socket);
    const key = tls ? connectionKey(socket) : undefined;
    if (key !== undefined) handshaking.set(key, socket);
    socket.once('close', () => {
      all.delete(socket);
      if (key !== undefined && handshaking.get(key) === socket) handshaking.delete(key);
    });
  });
  if (server instanceof TlsServer) {
    server.on('secureConnection', (socket: TLSSocket) => handshaking.delete(connectionKey(socket)));
  }

  return {
    destroyHandshaking() {
      for (const socket of handshaking.values()) socket.destroy();
    },
    destroyAll() {
      for (const socket of all) socket.destroy();
    },
  };
}

function connectionKey(socket: Socket): string {
  return `${socket.localAddress}|${socket.localPort}|${socket.remoteAddress}|${socket.remotePort}`;
}
