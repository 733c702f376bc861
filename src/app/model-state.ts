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

export { formatBytes } from '../shared/format-bytes.js';
