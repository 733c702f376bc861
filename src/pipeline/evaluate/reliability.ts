import { lineChartSvg } from '../plots/line-chart.js';
import { writeSvgAsPng } from '../plots/rasterise.js';

/**
 * Calibration of a probability: predictions binned by value (equal-width bins over 0..1), each
 * bin's mean prediction against how often the event really happened in it. A calibrated model's
 * points lie on the diagonal; the expected calibration error is the count-weighted mean distance.
 */

export interface ReliabilityBin {
  /** Bin bounds: [from, to), the last bin closed at 1. */
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observed: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  expectedCalibrationError: number;
}

export function reliability(scores: readonly number[], positive: readonly boolean[], binCount = 10): Reliability {
  if (scores.length !== positive.length)
    throw new RangeError(`${scores.length} scores for ${positive.length} outcomes`);
  if (!Number.isInteger(binCount) || binCount < 1)
    throw new RangeError(`bin count must be a positive integer, got ${binCount}`);
  const sums = Array.from({ length: binCount }, () => ({ count: 0, predicted: 0, events: 0 }));
  scores.forEach((s, i) => {
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score ${s} is not a probability`);
    const bin = sums[Math.min(binCount - 1, Math.floor(s * binCount))]!;
    bin.count++;
    bin.predicted += s;
    if (positive[i]) bin.events++;
  });
  const bins = sums.flatMap((b, k) =>
    b.count === 0
      ? []
      : [
          {
            from: k / binCount,
            to: (k + 1) / binCount,
            count: b.count,
            meanPredicted: b.predicted / b.count,
            observed: b.events / b.count,
          },
        ],
  );
  const total = scores.length;
  const expectedCalibrationError =
    total === 0 ? 0 : bins.reduce((sum, b) => sum + (b.count / total) * Math.abs(b.meanPredicted - b.observed), 0);
  return { bins, expectedCalibrationError };
}

export async function writeReliabilityDiagram(path: string, result: Reliability, title: string): Promise<void> {
  await writeSvgAsPng(
    path,
    lineChartSvg({
      title: `${title} (ECE ${result.expectedCalibrationError.toFixed(3)})`,
      xLabel: 'predicted probability (bin mean)',
      yLabel: 'observed frequency',
      yRange: [0, 1],
      series: [
        {
          name: 'perfect',
          dashed: true,
          colour: '#999999',
          points: [
            [0, 0],
            [1, 1],
          ],
        },
        { name: 'model', points: result.bins.map((b) => [b.meanPredicted, b.observed] as const) },
      ],
    }),
    2,
  );
}
