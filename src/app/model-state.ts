import type { RuntimeName } from '../shared/protocol.js';
import type { CatalogModel } from './model-catalog.js';

/** Where the selected model is on its way to "ready": what the status views show. */
export type ModelState =
  | { phase: 'starting'; model: CatalogModel | null }
  | { phase: 'downloading'; model: CatalogModel | null; loadedBytes: number; totalBytes: number }
  | { phase: 'warming-up'; model: CatalogModel | null; runtime: RuntimeName; backend: string }
  /** The backends the variants last ran on. */
  | { phase: 'ready'; model: CatalogModel | null; backends: Record<RuntimeName, string> }
  | { phase: 'failed'; model: CatalogModel | null; message: string };

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
