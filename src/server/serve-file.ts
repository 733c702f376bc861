import { createReadStream } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseByteRange, type ByteRange } from './byte-range.js';
import { CACHE_NONE } from './cache-policy.js';
import { negotiateEncoding } from './content-encoding.js';
import { duringShutdown, sendBody, sendStatus, type Exchange } from './exchange.js';
import type { FileTable, Representation, TableEntry } from './file-table.js';
import { mediaTypeFor } from './mime-types.js';
import { closeQuietly, openRepresentation, readBytes } from './open-file.js';
import { ifRangeAllowsPartial, isNotModified } from './validators.js';

const NOT_FOUND_PAGE = '404.html';
const NOT_FOUND_CONTENT_TYPE = mediaTypeFor(NOT_FOUND_PAGE).contentType;

/**
 * Bodies up to this size are read whole before the headers go out (one read, no stream); larger
 * ones are streamed. Either way from the descriptor that was checked against the table.
 */
const READ_WHOLE_MAX_BYTES = 64 * 1024;

/**
 * Read size of a streamed body. Four times Node's default: a quarter of the reads and socket writes
 * per megabyte; `npm run measure:server` measured 47 MB downloads clearly faster with it, for about
 * 20 MB more memory at 500 concurrent downloads.
 */
const STREAM_CHUNK_BYTES = 256 * 1024;

interface Chosen {
  readonly representation: Representation;
  /** Open on `representation`'s bytes; the caller closes it. */
  readonly fd: number;
}

/**
 * Serves the file the table has at `relativePath`: precompressed variant negotiation, conditional
 * requests, one byte range. Headers come precomputed from the table; the bytes from a descriptor
 * checked to hold the bytes those headers describe (see openRepresentation).
 */
export async function serveFile(exchange: Exchange, table: FileTable, relativePath: string): Promise<void> {
  const { req, res } = exchange;
  // A path the table lacks: added since start-up, or (much more likely) not there at all.
  const entry = table.get(relativePath) ?? (await table.refresh(relativePath));
  if (entry === undefined) return sendNotFound(exchange, table);

  // Range only means something for GET, and only against the identity bytes.
  const rangeHeader = req.method === 'GET' ? req.headers.range : undefined;
  let chosen = await openChosen(table, relativePath, entry, rangeHeader === undefined ? req.headers : undefined);
  if (chosen === undefined) {
    // The identity file went, or is no regular file any more, since it was recorded: look once more.
    const again = await table.refresh(relativePath);
    chosen =
      again && (await openChosen(table, relativePath, again, rangeHeader === undefined ? req.headers : undefined));
    if (chosen === undefined) return sendNotFound(exchange, table);
  }

  const { representation, fd } = chosen;
  let ownsFd = true;
  try {
    const { etag, mtimeMs, size } = representation;
    if (isNotModified(req.headers, etag, mtimeMs)) {
      res.writeHead(304, duringShutdown(exchange, representation.notModifiedHeaders));
      res.end();
      return;
    }
    const range: ByteRange =
      rangeHeader !== undefined && ifRangeAllowsPartial(singleValue(req.headers['if-range']), etag, mtimeMs)
        ? parseByteRange(rangeHeader, size)
        : { kind: 'whole' };
    if (range.kind === 'unsatisfiable') {
      return sendStatus(exchange, 416, { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' });
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    const status = range.kind === 'partial' ? 206 : 200;
    const length = end - start + 1;
    const headers = duringShutdown(
      exchange,
      range.kind === 'partial'
        ? { ...representation.okHeaders, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': length }
        : representation.okHeaders,
    );
    if (req.method === 'HEAD' || size === 0) {
      res.writeHead(status, headers);
      res.end();
      return;
    }

    if (length <= READ_WHOLE_MAX_BYTES) {
      const body = await readBytes(fd, length, start);
      // Shrunk between the check and the read: nothing is sent yet, so the handler's 500 can still go out.
      if (body === undefined) throw new Error(`${representation.path} shrank while being read`);
      res.writeHead(status, headers);
      exchange.bodyBytes = length;
      res.end(body);
      return;
    }

    res.writeHead(status, headers);
    ownsFd = false; // the stream closes it from here on
    const body = createReadStream(representation.path, {
      fd,
      start,
      end,
      autoClose: true,
      highWaterMark: STREAM_CHUNK_BYTES,
    });
    body.on('data', (chunk: Buffer | string) => {
      exchange.bodyBytes += Buffer.byteLength(chunk);
    });
    await pipeline(body, res).catch((error: NodeJS.ErrnoException) => {
      // The client went away mid-download: normal, and the access log records it as aborted.
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  } finally {
    if (ownsFd) closeQuietly(fd);
  }
}

/**
 * Opens the representation the client prefers (`headers` undefined: identity only). A variant that
 * cannot be opened is only a missed saving: the identity bytes then. undefined: the identity file
 * cannot be opened either. Whatever does not match the table has the table look again, for later
 * requests; a file that changed is served under headers from its own stats.
 */
async function openChosen(
  table: FileTable,
  relativePath: string,
  entry: TableEntry,
  headers: IncomingHttpHeaders | undefined,
): Promise<Chosen | undefined> {
  const negotiated = headers === undefined ? undefined : negotiateEncoding(headers['accept-encoding'], entry.variants);
  for (const candidate of negotiated === undefined ? [entry.identity] : [negotiated, entry.identity]) {
    const opened = await openRepresentation(candidate);
    if (opened.kind === 'opened') return { representation: candidate, fd: opened.fd };
    // A failing look-up fails again for the request that needs it: nothing to report here.
    table.refresh(relativePath).catch(() => undefined);
    if (opened.kind === 'changed') {
      return { representation: entry.describe(candidate.path, candidate.coding, opened.stats), fd: opened.fd };
    }
  }
  return undefined;
}

/** dist/404.html when the build has one (and the server may read it), else a line of text. */
export async function sendNotFound(exchange: Exchange, table: FileTable): Promise<void> {
  const entry = table.get(NOT_FOUND_PAGE) ?? (await table.refresh(NOT_FOUND_PAGE));
  const opened = entry === undefined ? undefined : await openChosen(table, NOT_FOUND_PAGE, entry, undefined);
  if (opened === undefined) return sendStatus(exchange, 404);
  let body: Buffer | undefined;
  try {
    body = await readBytes(opened.fd, opened.representation.size, 0);
  } finally {
    closeQuietly(opened.fd);
  }
  if (body === undefined) return sendStatus(exchange, 404);
  sendBody(exchange, 404, body, { 'Content-Type': NOT_FOUND_CONTENT_TYPE, 'Cache-Control': CACHE_NONE });
}

/** Node only makes arrays of set-cookie; the index signature still admits them for any name. */
function singleValue(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? header : undefined;
}
