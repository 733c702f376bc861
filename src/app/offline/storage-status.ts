export interface StorageStatus {
  /** Bytes this origin uses (caches, IndexedDB) and may use; null where the browser does not say. */
  usage: number | null;
  quota: number | null;
  /** Whether the browser promised not to evict this origin's data under storage pressure. */
  persisted: boolean | null;
}

export async function readStorageStatus(): Promise<StorageStatus> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) return { usage: null, quota: null, persisted: null };
  const [estimate, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? Promise.resolve(null)]);
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/** Asks for persistent storage: records and the offline copy must survive the browser's clean-ups. */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = navigator.storage as StorageManager | undefined;
  return storage?.persist ? storage.persist() : false;
}
