import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { CACHE_NONE } from './cache-policy.js';

/** One request/response pair plus what the access log needs to know about it. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  bodyBytes: number;
}

/** Sends a complete in-memory body; HEAD gets the same headers and no body. */
export function sendBody(
  exchange: Exchange,
  status: number,
  body: string | Buffer,
  headers: OutgoingHttpHeaders,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  exchange.res.writeHead(status, { ...headers, 'Content-Length': bytes.length });
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
