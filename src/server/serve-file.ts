import type { OutgoingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseByteRange, type ByteRange } from './byte-range.js';
import { CACHE_NONE, cacheControlFor } from './cache-policy.js';
import { negotiateEncoding } from './content-encoding.js';
import { sendBody, sendStatus, type Exchange } from './exchange.js';
import { findEncodedVariants, openServableFile, resolveServableFile } from './file-resolver.js';
import { mediaTypeFor } from './mime-types.js';
import { entityTag, httpDate, ifRangeAllowsPartial, isNotModified } from './validators.js';

const NOT_FOUND_PAGE = '404.html';

/**
 * Serves root/segments: precompressed variant negotiation, conditional requests, one byte
 * range, then streams from the already-open file so the headers and the bytes always describe
 * the same file, even if a deploy swaps it meanwhile.
 */
export async function serveFile(exchange: Exchange, rootReal: string, segments: readonly string[]): Promise<void> {
  const { req, res } = exchange;
  const relativePath = segments.join('/');
  const identityPath = await resolveServableFile(rootReal, relativePath);
  if (identityPath === undefined) return sendNotFound(exchange, rootReal);

  const mediaType = mediaTypeFor(relativePath);
  const variants = await findEncodedVariants(rootReal, relativePath);
  // Range only means something for GET, and only against the identity bytes.
  const rangeHeader = req.method === 'GET' ? req.headers.range : undefined;
  const negotiated =
    rangeHeader === undefined ? negotiateEncoding(req.headers['accept-encoding'], variants) : undefined;

  // A variant that cannot be opened (unreadable, gone since the lookup) is only a missed
  // saving: fall back to the identity bytes. An identity file that cannot be opened is a 404.
  const encoded = negotiated === undefined ? undefined : await openServableFile(negotiated.path);
  const variant = encoded === undefined ? undefined : negotiated;
  const opened = encoded ?? (await openServableFile(identityPath));
  if (opened === undefined) return sendNotFound(exchange, rootReal);
  const { handle: file, stats } = opened;
  let streaming = false;
  try {
    const etag = entityTag(stats, variant?.coding);
    const headers: OutgoingHttpHeaders = {
      'Cache-Control': cacheControlFor(segments),
      ETag: etag,
      'Last-Modified': httpDate(stats.mtimeMs),
      ...(mediaType.compressible || variants.length > 0 ? { Vary: 'Accept-Encoding' } : {}),
    };
    if (isNotModified(req.headers, etag, stats.mtimeMs)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }

    headers['Content-Type'] = mediaType.contentType;
    headers['Accept-Ranges'] = 'bytes';
    if (variant !== undefined) headers['Content-Encoding'] = variant.coding;
    const range: ByteRange =
      rangeHeader !== undefined && ifRangeAllowsPartial(singleValue(req.headers['if-range']), etag, stats.mtimeMs)
        ? parseByteRange(rangeHeader, stats.size)
        : { kind: 'whole' };
    if (range.kind === 'unsatisfiable') {
      return sendStatus(exchange, 416, { 'Content-Range': `bytes */${stats.size}`, 'Accept-Ranges': 'bytes' });
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, stats.size - 1];
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${stats.size}`;
    headers['Content-Length'] = end - start + 1;
    res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
    if (req.method === 'HEAD' || stats.size === 0) {
      res.end();
      return;
    }

    const body = file.createReadStream({ start, end });
    streaming = true; // the stream closes the file from here on
    body.on('data', (chunk: Buffer | string) => {
      exchange.bodyBytes += Buffer.byteLength(chunk);
    });
    await pipeline(body, res).catch((error: NodeJS.ErrnoException) => {
      // The client went away mid-download: normal, and the access log records it as aborted.
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  } finally {
    if (!streaming) await file.close();
  }
}

/** dist/404.html when the build has one (and the server may read it), else a line of text. */
export async function sendNotFound(exchange: Exchange, rootReal: string): Promise<void> {
  const path = await resolveServableFile(rootReal, NOT_FOUND_PAGE);
  const page = path === undefined ? undefined : await openServableFile(path);
  if (page === undefined) return sendStatus(exchange, 404);
  let body: Buffer;
  try {
    body = await page.handle.readFile();
  } finally {
    await page.handle.close();
  }
  sendBody(exchange, 404, body, {
    'Content-Type': mediaTypeFor(NOT_FOUND_PAGE).contentType,
    'Cache-Control': CACHE_NONE,
  });
}

/** Node only makes arrays of set-cookie; the index signature still admits them for any name. */
function singleValue(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? header : undefined;
}
