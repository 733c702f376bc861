import type { Stats } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { ContentCoding } from './content-encoding.js';

/**
 * Strong ETag from size and mtime of the file actually sent. The coding is part of the tag, so
 * the br, gzip and identity representations of one resource never share an ETag.
 */
export function entityTag(stats: Pick<Stats, 'size' | 'mtimeMs'>, coding: ContentCoding | undefined): string {
  const base = `${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}`;
  return `"${coding === undefined ? base : `${base}-${coding}`}"`;
}

/** HTTP dates have one-second resolution; compare against what Last-Modified says. */
export function lastModifiedSeconds(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000);
}

export function httpDate(mtimeMs: number): string {
  return new Date(lastModifiedSeconds(mtimeMs) * 1000).toUTCString();
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; both compare weakly. */
export function isNotModified(headers: IncomingHttpHeaders, etag: string, mtimeMs: number): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    return listedTags(ifNoneMatch).some((tag) => opaque(tag) === opaque(etag));
  }
  const since = parseHttpDate(headers['if-modified-since']);
  return since !== undefined && lastModifiedSeconds(mtimeMs) * 1000 <= since;
}

/** If-Range needs a strong match: the same ETag exactly, or exactly the Last-Modified date. */
export function ifRangeAllowsPartial(ifRange: string | undefined, etag: string, mtimeMs: number): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  return parseHttpDate(value) === lastModifiedSeconds(mtimeMs) * 1000;
}

function listedTags(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}
