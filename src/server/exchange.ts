import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { CACHE_NONE } from './cache-policy.js';

/** One request/response pair plus what the access log needs to know about it. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Sent with every response (the security headers), whatever its status. */
  readonly baseHeaders: Readonly<OutgoingHttpHeaders>;
  /** Shutdown has begun: the response asks the client to close the connection. */
  readonly closing: boolean;
  bodyBytes: number;
}

const CLOSE: Readonly<OutgoingHttpHeaders> = { Connection: 'close' };

/**
 * The complete header set of a response: the base headers, `headers`, and Connection: close during
 * shutdown. One object handed to writeHead, with no setHeader before it, is Node's fast path.
 */
export function responseHeaders(exchange: Exchange, headers: Readonly<OutgoingHttpHeaders>): OutgoingHttpHeaders {
  return exchange.closing ? { ...exchange.baseHeaders, ...headers, ...CLOSE } : { ...exchange.baseHeaders, ...headers };
}

/** `complete` already holds the base headers (the file table's do): only Connection: close may be missing. */
export function duringShutdown(
  exchange: Exchange,
  complete: Readonly<OutgoingHttpHeaders>,
): Readonly<OutgoingHttpHeaders> {
  return exchange.closing ? { ...complete, ...CLOSE } : complete;
}

/** Sends a complete in-memory body; HEAD gets the same headers and no body. */
export function sendBody(
  exchange: Exchange,
  status: number,
  body: string | Buffer,
  headers: OutgoingHttpHeaders,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  exchange.res.writeHead(status, responseHeaders(exchange, { ...headers, 'Content-Length': bytes.length }));
  if (exchange.req.method === 'HEAD') {
    exchange.res.end();
    return;
  }
  exchange.bodyBytes = bytes.length;
  exchange.res.end(bytes);
}

/** Short plain-text status responses; never cached, never carrying internals. */
export function sendStatus(exchange: Exchange, status: number, headers: OutgoingHttpHeaders = {}): void {
  sendBody(exchange, status, `${status} ${STATUS_CODES[status] ?? ''}\n`, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': CACHE_NONE,
    ...headers,
  });
}
