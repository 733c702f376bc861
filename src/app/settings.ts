import type { WeightForm } from '../shared/model-manifest.js';
import type { BackendChoice } from '../shared/protocol.js';
import { parseBackendChoices } from './backend-choice.js';

export interface Settings {
  tfjs: BackendChoice;
  ort: BackendChoice;
  /** Model id from the manifest; null = the manifest's default. */
  model: string | null;
  weights: WeightForm;
}

/** fp16 halves the download and the storage; the numbers differ from fp32 in the fourth decimal at most. */
export const DEFAULT_SETTINGS: Settings = { tfjs: 'auto', ort: 'auto', model: null, weights: 'fp16' };

const STORAGE_KEY = 'fundus-grader.settings';
/** Query parameters that override the saved settings for one visit (tests, support calls). */
export const SETTINGS_QUERY_KEYS = ['backend', 'tfjs', 'ort', 'model', 'weights'] as const;

const BACKEND_CHOICES: ReadonlySet<unknown> = new Set<BackendChoice>(['auto', 'webgpu', 'webgl', 'wasm']);
const isBackendChoice = (value: unknown): value is BackendChoice => BACKEND_CHOICES.has(value);
const isWeightForm = (value: unknown): value is WeightForm => value === 'fp16' || value === 'fp32';

function readSaved(storage: Pick<Storage, 'getItem'>): Partial<Record<keyof Settings, unknown>> {
  try {
    const value: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    // A damaged entry must not stop the app from opening: fall back to the defaults.
    return {};
  }
}

/** Saved settings, then `?backend=`, `?tfjs=`, `?ort=`, `?model=`, `?weights=` on top. Bad values are ignored. */
export function loadSettings(storage: Pick<Storage, 'getItem'>, search: string): Settings {
  const saved = readSaved(storage);
  const base: Settings = {
    tfjs: isBackendChoice(saved.tfjs) ? saved.tfjs : DEFAULT_SETTINGS.tfjs,
    ort: isBackendChoice(saved.ort) ? saved.ort : DEFAULT_SETTINGS.ort,
    model: typeof saved.model === 'string' ? saved.model : DEFAULT_SETTINGS.model,
    weights: isWeightForm(saved.weights) ? saved.weights : DEFAULT_SETTINGS.weights,
  };
  const query = new URLSearchParams(search);
  const weights = query.get('weights');
  return {
    ...parseBackendChoices(search, base),
    model: query.get('model') || base.model,
    weights: isWeightForm(weights) ? weights : base.weights,
  };
}

export function saveSettings(storage: Pick<Storage, 'setItem'>, settings: Settings): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

/** The search string without the override parameters, so that settings chosen in the app take effect. */
export function withoutSettingsQuery(search: string): string {
  const query = new URLSearchParams(search);
  for (const key of SETTINGS_QUERY_KEYS) query.delete(key);
  const rest = query.toString();
  return rest ? `?${rest}` : '';
}
