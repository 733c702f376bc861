import Ajv from 'ajv';
import type { BenchReport } from '../shared/bench/bench-types.js';
import schema from './bench-report.schema.json' with { type: 'json' };

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile<BenchReport>(schema);

/** Problems of a report against bench-report.schema.json, as "path: message" lines; empty when valid. */
export function reportProblems(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

export function assertValidReport(value: unknown, source: string): BenchReport {
  const problems = reportProblems(value);
  if (problems.length > 0)
    throw new Error(`${source} is not a valid bench report:\n  ${problems.slice(0, 10).join('\n  ')}`);
  return value as BenchReport;
}
