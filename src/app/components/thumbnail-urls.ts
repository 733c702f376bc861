import type { PhotoRecord } from '../records/screening-record.js';

/**
 * One object URL per listed photo's thumbnail. Photos that are gone have theirs revoked; `clear` revokes
 * them all (the view left the page).
 */
export class ThumbnailUrls {
  private urls = new Map<string, string>();

  /** URLs for these photos (those without a thumbnail have none); a new map each time, so Lit sees the change. */
  sync(records: readonly PhotoRecord[]): ReadonlyMap<string, string> {
    const next = new Map<string, string>();
    for (const record of records) {
      if (!record.thumbnail) continue;
      next.set(record.id, this.urls.get(record.id) ?? URL.createObjectURL(record.thumbnail));
    }
    for (const [id, url] of this.urls) if (!next.has(id)) URL.revokeObjectURL(url);
    this.urls = next;
    return new Map(next);
  }

  clear(): void {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
