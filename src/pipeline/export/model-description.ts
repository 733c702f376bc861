import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelDescription } from '../../shared/model-manifest.js';

/** Sits next to a canonical store's model.json and says what the model is (see ModelDescription). */
export const MODEL_DESCRIPTION_FILE = 'model-info.json';

// id and version become URL path segments under dist/models/.
const ID = /^[a-z0-9][a-z0-9_-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

const isProbability = (value: unknown): value is number => typeof value === 'number' && value > 0 && value < 1;

/**
 * The description's referralThreshold from a threshold chosen on validation data: none when that
 * choice gave no usable probability (NaN without referable validation images, or 0 / 1).
 */
export function referralThresholdField(threshold: number): Pick<ModelDescription, 'referralThreshold'> {
  return isProbability(threshold) ? { referralThreshold: threshold } : {};
}

export function validateModelDescription(value: unknown, source: string): ModelDescription {
  const d = value as Partial<ModelDescription> | null;
  const problems: string[] = [];
  if (typeof d?.id !== 'string' || !ID.test(d.id)) problems.push(`id must match ${ID}`);
  if (typeof d?.version !== 'string' || !VERSION.test(d.version)) problems.push(`version must match ${VERSION}`);
  if (typeof d?.name !== 'string' || d.name === '') problems.push('name must be a non-empty string');
  if (typeof d?.trainingData !== 'string' || d.trainingData === '')
    problems.push('trainingData must be a non-empty string');
  if (typeof d?.demo !== 'boolean') problems.push('demo must be true or false');
  if (
    d?.metrics !== undefined &&
    (typeof d.metrics !== 'object' || Object.values(d.metrics).some((v) => typeof v !== 'number'))
  ) {
    problems.push('metrics must map names to numbers');
  }
  if (d?.referralThreshold !== undefined && !isProbability(d.referralThreshold)) {
    problems.push('referralThreshold must be a probability between 0 and 1');
  }
  for (const field of ['notice', 'credit'] as const) {
    const text: unknown = d?.[field];
    if (text !== undefined && (typeof text !== 'string' || text.trim() === ''))
      problems.push(`${field} must be a non-empty string when present`);
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`);
  const { id, version, name, trainingData, metrics, demo, referralThreshold, notice, credit } = d as ModelDescription;
  return {
    id,
    version,
    name,
    trainingData,
    ...(metrics ? { metrics } : {}),
    demo,
    ...(referralThreshold !== undefined ? { referralThreshold } : {}),
    ...(notice !== undefined ? { notice } : {}),
    ...(credit !== undefined ? { credit } : {}),
  };
}

export async function readModelDescription(canonicalDir: string): Promise<ModelDescription> {
  const path = join(canonicalDir, MODEL_DESCRIPTION_FILE);
  return validateModelDescription(JSON.parse(await readFile(path, 'utf8')), path);
}

export async function writeModelDescription(canonicalDir: string, description: ModelDescription): Promise<void> {
  const valid = validateModelDescription(description, 'model description');
  await writeFile(join(canonicalDir, MODEL_DESCRIPTION_FILE), `${JSON.stringify(valid, null, 2)}\n`);
}
