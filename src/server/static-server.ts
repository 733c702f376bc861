import { realpathSync, statSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createGracefulCloser } from './graceful-close.js';
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, type StaticServerOptions } from './options.js';
import { createClientErrorHandler, createConnectHandler } from './raw-responses.js';
import { createRequestHandler } from './request-handler.js';
import { securityHeaders } from './security-headers.js';

export interface StaticServer {
  readonly server: HttpServer | HttpsServer;
  /** Real path of the folder being served. */
  readonly root: string;
  listen(): Promise<AddressInfo>;
  /** Graceful: see ServerLimits.shutdownTimeoutMs. Safe to call more than once. */
  close(): Promise<void>;
}

export function createStaticServer(options: StaticServerOptions): StaticServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const root = realpathSync(options.root); // throws for a missing root: better at start than per request
  if (!statSync(root).isDirectory()) throw new Error(`root is not a directory: ${options.root}`);
  const baseHeaders = securityHeaders({ hsts: options.tls !== undefined || options.hsts === true });

  const serverOptions: ServerOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above on this interval (default 30 s, too coarse for them).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    // Node's own 400 for a missing Host is a bare status line; the handler answers it instead.
    requireHostHeader: false,
  };
  const server =
    options.tls === undefined
      ? createHttpServer(serverOptions)
      : createHttpsServer({
          ...serverOptions,
          cert: options.tls.cert,
          key: options.tls.key,
          // Node's default, 120 s, lets a client that connects and says nothing hold a socket that long.
          handshakeTimeout: limits.tlsHandshakeTimeoutMs,
        });
  server.setTimeout(limits.idleSocketTimeoutMs, (socket) => socket.destroy());

  let listeningSince = 0;
  const closer = createGracefulCloser(server);
  const responding = new Set<Duplex>();
  const handler = createRequestHandler({
    rootReal: root,
    limits,
    sourceMaps: options.sourceMaps === true,
    logger: options.logger,
    baseHeaders,
    health: () => ({
      status: 'ok',
      uptimeSeconds: Math.floor((Date.now() - listeningSince) / 1000),
      version: options.version,
    }),
    isClosing: () => closer.closing,
  });
  const respond = (req: IncomingMessage, res: ServerResponse, expectationFailed: boolean): void => {
    const { socket } = req;
    responding.add(socket);
    res.once('close', () => {
      responding.delete(socket);
      closer.responseEnded();
    });
    handler(req, res, expectationFailed);
  };
  server.on('request', (req, res) => respond(req, res, false));
  // An Expect other than 100-continue: with no listener here Node answers a bare 417 itself.
  server.on('checkExpectation', (req, res) => respond(req, res, true));
  const rawReplies = { baseHeaders, logger: options.logger, lingerMs: limits.errorLingerMs };
  server.on(
    'clientError',
    createClientErrorHandler(rawReplies, (socket) => responding.has(socket)),
  );
  server.on('connect', createConnectHandler(rawReplies));

  return {
    server,
    root,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
          server.off('error', reject);
          listeningSince = Date.now();
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () => closer.close(limits.shutdownTimeoutMs),
  };
}
