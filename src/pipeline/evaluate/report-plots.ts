import { join } from 'node:path';
import { GRADE_NAMES } from '../../shared/grades.js';
import { confusionMatrixSvg } from '../plots/confusion-matrix.js';
import { lineChartSvg } from '../plots/line-chart.js';
import { writeSvgAsPng } from '../plots/rasterise.js';
import type { EpochRecord } from '../train/trainer.js';
import type { ConfusionMatrix } from './metrics.js';

export const LOSS_CURVE_FILE = 'training-loss.png';
export const ACCURACY_CURVE_FILE = 'training-accuracy.png';
export const CONFUSION_MATRIX_FILE = 'confusion-matrix.png';

/** Train/validation loss and accuracy per epoch, as two PNGs in `dir`; returns their paths. */
export async function writeTrainingCurves(
  dir: string,
  history: readonly EpochRecord[],
  title: string,
): Promise<string[]> {
  const series = (pick: (r: EpochRecord) => number, name: string, dashed: boolean) => ({
    name,
    dashed,
    points: history.map((r) => [r.epoch, pick(r)] as const),
  });
  const loss = join(dir, LOSS_CURVE_FILE);
  const accuracy = join(dir, ACCURACY_CURVE_FILE);
  await writeSvgAsPng(
    loss,
    lineChartSvg({
      title: `${title}: loss (class-weighted cross-entropy)`,
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [series((r) => r.trainLoss, 'train', false), series((r) => r.valLoss, 'validation', true)],
    }),
    2,
  );
  await writeSvgAsPng(
    accuracy,
    lineChartSvg({
      title: `${title}: accuracy`,
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yRange: [0, 1],
      series: [series((r) => r.trainAccuracy, 'train', false), series((r) => r.valAccuracy, 'validation', true)],
    }),
    2,
  );
  return [loss, accuracy];
}

export async function writeConfusionMatrix(path: string, matrix: ConfusionMatrix, title: string): Promise<void> {
  await writeSvgAsPng(path, confusionMatrixSvg({ title, labels: GRADE_NAMES, counts: matrix }), 2);
}
