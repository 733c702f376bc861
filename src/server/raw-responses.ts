import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerLogger } from './access-log.js';
import { CACHE_NONE } from './cache-policy.js';
import { ALLOWED_METHODS } from './request-handler.js';

/**
 * Answers written straight to the socket, for the cases Node handles before (or instead of) a
 * request event: parser errors and CONNECT. Node's own answers there are a bare status line or
 * a silently closed socket; these carry the same security headers as every other response.
 */

type BaseHeaders = Readonly<Record<string, string>>;

export interface RawReplyContext {
  readonly baseHeaders: BaseHeaders;
  readonly logger: ServerLogger;
  /** See ServerLimits.errorLingerMs. */
  readonly lingerMs: number;
}

// Errors Node's HTTP parser raises before a request object exists, by what they mean.
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_INVALID_METHOD: 405,
};

/** `busy` tells whether a response is being written on the socket: then only destroying it is safe. */
export function createClientErrorHandler(
  context: RawReplyContext,
  busy: (socket: Duplex) => boolean,
): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable || busy(socket)) {
      socket.destroy();
      return;
    }
    endWithStatus(socket, STATUS_BY_CODE[error.code ?? ''] ?? 400, context, '-', '-');
  };
}

/** This is not a proxy: CONNECT gets the same 405 as any other method besides GET and HEAD. */
export function createConnectHandler(context: RawReplyContext): (req: IncomingMessage, socket: Duplex) => void {
  return (req, socket) => {
    // Node hands the socket over without an 'error' listener: a client resetting the connection
    // would otherwise raise an uncaught exception and end the process.
    socket.on('error', () => socket.destroy());
    endWithStatus(socket, 405, context, 'CONNECT', req.url ?? '-');
  };
}

function endWithStatus(
  socket: Duplex,
  status: number,
  { baseHeaders, logger, lingerMs }: RawReplyContext,
  method: string,
  path: string,
): void {
  const reason = STATUS_CODES[status] ?? '';
  const body = `${status} ${reason}\n`;
  const headers: Record<string, string | number> = {
    ...baseHeaders,
    Date: new Date().toUTCString(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': CACHE_NONE,
    ...(status === 405 ? { Allow: ALLOWED_METHODS } : {}),
    Connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`);
  // end() only closes our side; a client that neither reads nor closes would keep the socket.
  // Destroying at once could reset the connection before the client has read the reply.
  const linger = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(linger));
  logger.access?.({
    time: new Date().toISOString(),
    remote: (socket instanceof Socket ? socket.remoteAddress : undefined) ?? '-',
    method,
    path,
    status,
    bytes: Buffer.byteLength(body),
    ms: 0,
  });
}
