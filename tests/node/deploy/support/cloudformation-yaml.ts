import { readFile } from 'node:fs/promises';
import { parse, type Tags, type YAMLSeq } from 'yaml';

/** CloudFormation's short-form intrinsics (!Ref, !If …) read as their long JSON form. */
const scalar = (name: string, value: (text: string) => unknown = (text) => text) => ({
  tag: `!${name}`,
  resolve: (text: string) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value(text) }),
});
const sequence = (name: string) => ({
  tag: `!${name}`,
  collection: 'seq' as const,
  resolve: (seq: YAMLSeq) => ({ [`Fn::${name}`]: seq.toJSON() as unknown }),
});
const TAGS = [
  scalar('Ref'),
  scalar('Sub'),
  scalar('GetAtt', (text) => text.split('.')),
  ...['If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Sub'].map(sequence),
] as Tags;

export interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties: Record<string, unknown>;
}

export interface Template {
  readonly Parameters: Record<string, { AllowedPattern?: string; Default?: string }>;
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, { Value: unknown }>;
}

export async function readTemplate(path: string): Promise<Template> {
  return parse(await readFile(path, 'utf8'), { customTags: TAGS }) as Template;
}
