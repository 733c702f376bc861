import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ModelManifest } from '../../../src/shared/model-manifest.js';
import { cli, tempDir } from './support/cli.js';

async function copyOfModels(): Promise<string> {
  const dir = await tempDir('manifest-default');
  await cp('models/tiny', join(dir, 'tiny'), { recursive: true });
  return dir;
}

const readManifest = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;

describe('export manifest --default', () => {
  it('records the model the app grades with, and keeps it on the next run', async () => {
    const dir = await copyOfModels();
    assert.equal((await cli('export.ts', ['manifest', '--models', dir, '--default', 'tiny'])).code, 0);
    assert.equal((await readManifest(dir)).defaultModel, 'tiny');
    assert.equal((await cli('export.ts', ['manifest', '--models', dir])).code, 0);
    assert.equal((await readManifest(dir)).defaultModel, 'tiny');
  });

  it('refuses a model that is not in the store, naming the ones that are', async () => {
    const dir = await copyOfModels();
    const result = await cli('export.ts', ['manifest', '--models', dir, '--default', 'resnet50-nope']);
    assert.equal(result.code, 1);
    assert.match(result.out, /--default resnet50-nope: no such model \(have tiny\)/);
  });
});
