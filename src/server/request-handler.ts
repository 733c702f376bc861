import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AccessLogEntry, ServerLogger } from './access-log.js';
import { isVariantFileName } from './content-encoding.js';
import { sendStatus, type Exchange } from './exchange.js';
import { buildFileTable, type FileTable } from './file-table.js';
import { sendHealth, type HealthReport } from './health.js';
import type { ServerLimits } from './options.js';
import { parseRequestPath } from './request-path.js';
import { sendNotFound, serveFile } from './serve-file.js';

export interface HandlerContext {
  /** Real path of the folder served; walked once, when the handler is created (see file-table.ts). */
  readonly rootReal: string;
  readonly limits: ServerLimits;
  /** Whether `*.map` files are served (StaticServerOptions.sourceMaps). */
  readonly sourceMaps: boolean;
  readonly logger: ServerLogger;
  /** Sent on every response, whatever its status. */
  readonly baseHeaders: Readonly<Record<string, string>>;
  readonly health: () => HealthReport;
  /** True once shutdown began: responses then ask the client to close the connection. */
  readonly isClosing: () => boolean;
}

export const ALLOWED_METHODS = 'GET, HEAD';

const SOURCE_MAP_NAME = /\.map$/i;

/**
 * `expectationFailed`: the request carries an Expect header Node does not meet (anything but
 * 100-continue), as reported by the server's 'checkExpectation' event.
 */
export type StaticRequestListener = (req: IncomingMessage, res: ServerResponse, expectationFailed?: boolean) => void;

export function createRequestHandler(context: HandlerContext): StaticRequestListener {
  const table = buildFileTable(context.rootReal, context.baseHeaders);
  return (req, res, expectationFailed = false) => {
    // The base headers go out with each response's own (see responseHeaders), not by setHeader here.
    const exchange: Exchange = {
      req,
      res,
      baseHeaders: context.baseHeaders,
      closing: context.isClosing(),
      bodyBytes: 0,
    };
    const { access } = context.logger;
    if (access !== undefined) {
      const started = performance.now();
      res.once('close', () => access(accessEntry(exchange, started)));
    }

    route(exchange, context, table, expectationFailed).catch((error: unknown) => {
      context.logger.error(`${req.method ?? '?'} ${req.url ?? '?'} failed`, error);
      if (res.headersSent) res.destroy();
      else sendStatus(exchange, 500);
    });
  };
}

async function route(
  exchange: Exchange,
  context: HandlerContext,
  table: FileTable,
  expectationFailed: boolean,
): Promise<void> {
  const { req } = exchange;
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. Node would send that itself, without
  // our headers (see requireHostHeader), and close the connection, as this does.
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    return sendStatus(exchange, 400, { Connection: 'close' });
  }
  // The body is never read: close the connection after answering rather than drain it.
  const hasBody = carriesBody(req);
  const closeIfBody = hasBody ? { Connection: 'close' } : {};
  if (expectationFailed) return sendStatus(exchange, 417, closeIfBody);
  const target = req.url ?? '';
  if (target.length > context.limits.maxUrlLength) return sendStatus(exchange, 414);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendStatus(exchange, 405, { Allow: ALLOWED_METHODS, ...closeIfBody });
  }
  if (hasBody) return sendStatus(exchange, 413, closeIfBody);

  const path = parseRequestPath(target);
  if (path.kind === 'refused') {
    return path.status === 404 ? sendNotFound(exchange, table) : sendStatus(exchange, path.status);
  }
  const { segments } = path;
  if (segments.length === 1 && segments[0] === 'healthz') return sendHealth(exchange, context.health());
  const name = segments[segments.length - 1] ?? '';
  // `/x.js.br` is an encoding of /x.js, not a resource: 404 rather than bytes of the wrong type.
  if (isVariantFileName(name)) return sendNotFound(exchange, table);
  // Source maps, unless asked for: as if they were not there. By name, case-insensitively, so a
  // case-insensitive file system cannot be asked for `X.JS.MAP` instead.
  if (!context.sourceMaps && SOURCE_MAP_NAME.test(name)) return sendNotFound(exchange, table);
  return serveFile(exchange, table, segments.join('/'));
}

function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function accessEntry({ req, res, bodyBytes }: Exchange, started: number): AccessLogEntry {
  return {
    time: new Date().toISOString(),
    remote: req.socket.remoteAddress ?? '-',
    method: req.method ?? '-',
    path: req.url ?? '-',
    status: res.statusCode,
    bytes: bodyBytes,
    ms: Math.round((performance.now() - started) * 10) / 10,
    ...(res.writableFinished ? {} : { aborted: true as const }),
  };
}
