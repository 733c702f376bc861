/**
 * The quality gate's calibration arithmetic: per-photo measurements in, pass and caught rates,
 * distributions and suggested thresholds out. No I/O (calibrate-quality.ts reads the photos).
 *
 * The suggestion rule, fixed before looking at the degraded copies: every limit sits a third beyond
 * the worst original of the source the thresholds are picked on (IDRiD), measured on the scale of the
 * measure's "good" quantity — a minimum at 2/3 of the lowest value, a maximum at 1.5 × the highest, and
 * for a bad share f (dark, blown out) the good share 1 − f at 2/3 of its lowest. The minimum FOV
 * diameter is not calibrated (one camera; see QUALITY_THRESHOLDS).
 */
import type { ImageQuality, QualityMeasures, QualityReason, QualityThresholds } from '../../shared/image-quality.js';
import type { DegradationKind } from './degrade.js';

/** One measured photo: an original or a degraded copy. */
export interface MeasuredPhoto {
  readonly source: string;
  /** 'original' or the degradation. */
  readonly kind: 'original' | DegradationKind;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly decodeScale: number;
  readonly measures: QualityMeasures;
  readonly reasons: readonly QualityReason[];
  /** assessImageQuality given the field of view (what the app adds), and detectFieldOfView alone. */
  readonly qualityMs: number;
  readonly fovMs: number;
}

export function toMeasuredPhoto(
  base: Omit<MeasuredPhoto, 'measures' | 'reasons'>,
  quality: ImageQuality,
): MeasuredPhoto {
  return { ...base, measures: quality.measures, reasons: quality.issues.map((i) => i.reason) };
}

/** The measures the thresholds apply to, by name in QualityMeasures. */
export const NUMERIC_MEASURES = [
  'focus',
  'darkFraction',
  'brightFraction',
  'illuminationRatio',
  'fovFrameFraction',
  'fovDiameterPx',
  'blockiness',
  'medianLuma',
] as const;
export type NumericMeasure = (typeof NUMERIC_MEASURES)[number];

export interface Distribution {
  readonly n: number;
  readonly min: number;
  readonly p5: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** Quantile by linear interpolation between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function distribution(values: readonly number[]): Distribution | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  // Four significant digits: plenty to place a limit, and a summary a person can read.
  const round = (v: number) => Number(v.toPrecision(4));
  return {
    n: sorted.length,
    min: round(sorted[0]!),
    p5: round(quantile(sorted, 0.05)),
    median: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    max: round(sorted[sorted.length - 1]!),
  };
}

export function measureValues(photos: readonly MeasuredPhoto[], measure: NumericMeasure): number[] {
  const out: number[] = [];
  for (const p of photos) {
    const v = p.measures[measure];
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

export function distributions(photos: readonly MeasuredPhoto[]): Partial<Record<NumericMeasure, Distribution>> {
  const out: Partial<Record<NumericMeasure, Distribution>> = {};
  for (const m of NUMERIC_MEASURES) {
    const d = distribution(measureValues(photos, m));
    if (d) out[m] = d;
  }
  return out;
}

/** Which reasons count as catching each degradation for the right reason. */
export const EXPECTED_REASONS: Record<DegradationKind, readonly QualityReason[]> = {
  blur: ['blurred'],
  'blur-mild': ['blurred'],
  'under-exposed': ['too-dark'],
  'over-exposed': ['too-bright'],
  // A deep shadow darkens part of the disc below what the field-of-view detection counts as retina.
  'uneven-illumination': ['uneven-illumination', 'no-field-of-view'],
  'half-covered': ['no-field-of-view', 'uneven-illumination', 'field-too-small'],
  'small-field': ['field-too-small'],
  jpeg: ['jpeg-artefacts'],
};

export interface GroupSummary {
  readonly n: number;
  /** Originals: judged gradable. Degraded copies: judged ungradable (any reason), and for an expected one. */
  readonly passed?: number;
  readonly passRate?: number;
  readonly caught?: number;
  readonly caughtRate?: number;
  readonly caughtForExpectedReason?: number;
  readonly expectedReasons?: readonly QualityReason[];
  /** How often each reason was given. */
  readonly reasons: Partial<Record<QualityReason, number>>;
  /** Originals judged ungradable, or degraded copies judged gradable (names only). */
  readonly misjudged: readonly string[];
}

function countReasons(photos: readonly MeasuredPhoto[]): Partial<Record<QualityReason, number>> {
  const out: Partial<Record<QualityReason, number>> = {};
  for (const p of photos) for (const r of p.reasons) out[r] = (out[r] ?? 0) + 1;
  return out;
}

export function summariseOriginals(photos: readonly MeasuredPhoto[]): GroupSummary {
  const passed = photos.filter((p) => p.reasons.length === 0);
  return {
    n: photos.length,
    passed: passed.length,
    passRate: photos.length ? passed.length / photos.length : NaN,
    reasons: countReasons(photos),
    misjudged: photos.filter((p) => p.reasons.length > 0).map((p) => `${p.name}: ${p.reasons.join(', ')}`),
  };
}

export function summariseDegraded(kind: DegradationKind, photos: readonly MeasuredPhoto[]): GroupSummary {
  const expected = EXPECTED_REASONS[kind];
  const caught = photos.filter((p) => p.reasons.length > 0);
  return {
    n: photos.length,
    caught: caught.length,
    caughtRate: photos.length ? caught.length / photos.length : NaN,
    caughtForExpectedReason: photos.filter((p) => p.reasons.some((r) => expected.includes(r))).length,
    expectedReasons: expected,
    reasons: countReasons(photos),
    misjudged: photos.filter((p) => p.reasons.length === 0).map((p) => p.name),
  };
}

/** Round to two significant digits, towards the permissive side (down for a minimum, up for a maximum). */
export function roundThreshold(value: number, direction: 'min' | 'max'): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  // Snap away binary noise first: 2/3 × 0.42 is 0.27999999999999997, and its limit is 0.28.
  const units = Number((value / scale).toPrecision(9));
  return (direction === 'min' ? Math.floor(units) : Math.ceil(units)) * scale;
}

/** Clean up binary floating point after rounding (0.07 rather than 0.07000000000000001). */
const tidy = (v: number) => Number(v.toPrecision(6));

/**
 * Thresholds by the rule in this file's header, from the originals the gate is calibrated on.
 * `minFovDiameterPx` is passed through (a design choice, not calibrated).
 */
export function suggestThresholds(originals: readonly MeasuredPhoto[], minFovDiameterPx: number): QualityThresholds {
  const lowest = (m: NumericMeasure) => Math.min(...measureValues(originals, m));
  const highest = (m: NumericMeasure) => Math.max(...measureValues(originals, m));
  const minOf = (m: NumericMeasure) => tidy(roundThreshold((2 / 3) * lowest(m), 'min'));
  const maxOf = (m: NumericMeasure) => tidy(roundThreshold(1.5 * highest(m), 'max'));
  const maxShare = (m: NumericMeasure) => tidy(roundThreshold(1 - (2 / 3) * (1 - highest(m)), 'max'));
  return {
    minFocus: minOf('focus'),
    maxDarkFraction: maxShare('darkFraction'),
    maxBrightFraction: maxShare('brightFraction'),
    minIlluminationRatio: minOf('illuminationRatio'),
    minFovFrameFraction: minOf('fovFrameFraction'),
    minFovDiameterPx,
    maxBlockiness: maxOf('blockiness'),
  };
}
