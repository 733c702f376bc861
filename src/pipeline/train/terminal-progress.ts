import type { EpochRecord, TrainingEvents, TrainingProgress } from './trainer.js';

export interface TerminalProgressOptions {
  out?: NodeJS.WriteStream;
  /** On a pipe or file: at most one progress line per this many seconds (default 15). */
  logIntervalSeconds?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Training progress for a person watching: one live line on a terminal (epoch, step, running loss
 * — the grade cross-entropy, with the auxiliary loss apart when there is one — and accuracy,
 * images/s, ETA of the epoch and of the run if it goes to the last epoch), a line per epoch, and the
 * same at a calm pace when output goes to a log file.
 */
export function terminalProgress(options: TerminalProgressOptions = {}): TrainingEvents {
  const out = options.out ?? process.stdout;
  const live = out.isTTY === true;
  const interval = (options.logIntervalSeconds ?? 15) * 1000;
  let started = performance.now();
  /** Examples done (over all epochs) when this session's first step began. */
  let base: number | undefined;
  let lastLog = 0;
  let lineOpen = false;

  const write = (line: string) => {
    if (live) {
      out.write(`\r\u001b[2K${line}`);
      lineOpen = true;
    } else {
      out.write(`${line}\n`);
    }
  };
  const say = (line: string) => {
    if (lineOpen) out.write('\n');
    lineOpen = false;
    out.write(`${line}\n`);
  };

  return {
    onStart(info) {
      started = performance.now();
      base = undefined;
      const where = info.resumed ? `resuming at epoch ${info.epoch + 1}, step ${info.step}/${info.steps}` : 'starting';
      say(`Training: ${where}; ${info.steps} steps per epoch, at most ${info.maxEpochs} epochs.`);
      say(`Class weights: ${info.classWeights.map((w) => w.toFixed(3)).join(' ')}`);
    },
    onProgress(p: TrainingProgress) {
      const position = p.epoch * p.epochSize + p.epochDone;
      base ??= position - p.stepDone;
      const now = performance.now();
      if (!live && now - lastLog < interval) return;
      lastLog = now;
      const rate = (position - base) / ((now - started) / 1000);
      const leftInEpoch = p.epochSize - p.epochDone;
      const leftInRun = leftInEpoch + (p.maxEpochs - p.epoch - 1) * p.epochSize;
      const metric = (v: number, digits: number) => (Number.isNaN(v) ? '–' : v.toFixed(digits));
      write(
        `epoch ${p.epoch + 1}/${p.maxEpochs}  step ${p.step + 1}/${p.steps} (${p.stepDone}/${p.stepSize})  ` +
          `loss ${metric(p.loss, 4)}${p.auxLoss === undefined ? '' : `  aux ${metric(p.auxLoss, 4)}`}  acc ${metric(p.accuracy, 3)}  ${rate.toFixed(2)} img/s  ` +
          `ETA epoch ${formatDuration(leftInEpoch / rate)}, run ≤ ${formatDuration(leftInRun / rate)}`,
      );
    },
    onValidation(done, total) {
      if (live) write(`validating ${done}/${total}`);
    },
    onEpoch(r: EpochRecord, improved: boolean) {
      const aux = (label: string, v: number | undefined) => (v === undefined ? '' : ` ${label} ${v.toFixed(4)}`);
      say(
        `epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)}${aux('aux', r.trainAuxLoss)} acc ${r.trainAccuracy.toFixed(3)} | ` +
          `val loss ${r.valLoss.toFixed(4)}${aux('val aux', r.valAuxLoss)} val acc ${r.valAccuracy.toFixed(3)} | ${formatDuration(r.seconds)}${improved ? ' | best so far' : ''}`,
      );
    },
    onCheckpoint(path) {
      if (live) write(`checkpoint written: ${path}`);
      else say(`checkpoint written: ${path}`);
    },
  };
}
