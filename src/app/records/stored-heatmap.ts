import type { Heatmap } from '../../shared/protocol.js';

/**
 * A variant's Grad-CAM heatmap as a record keeps it: the 0–1 values quantised to bytes (0–255), a
 * quarter of the space of the numbers and plenty for a map drawn in a handful of colours.
 */
export interface StoredHeatmap {
  grade: Heatmap['grade'];
  width: number;
  height: number;
  /** Row-major, value × 255 rounded. */
  values: Uint8Array;
  ms: number;
}

export function compactHeatmap({ grade, width, height, values, ms }: Heatmap): StoredHeatmap {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, values[i] || 0)) * 255);
  return { grade, width, height, values: bytes, ms };
}

/** Back to the protocol's form (0–1 values) for drawing or export. */
export function expandHeatmap({ grade, width, height, values, ms }: StoredHeatmap): Heatmap {
  return { grade, width, height, values: Array.from(values, (v) => v / 255), ms };
}
