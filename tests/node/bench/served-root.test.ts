import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareServedRoot } from '../../../src/bench/served-root.js';

describe('prepareServedRoot', () => {
  const scratch = mkdtemp(join(tmpdir(), 'fg-bench-root-'));
  after(async () => rm(await scratch, { recursive: true, force: true }));

  async function tree(root: string, files: Record<string, string>) {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
  }

  it('serves dist itself without --model-dir', async () => {
    const dist = join(await scratch, 'dist-a');
    const served = await prepareServedRoot(null, dist);
    assert.deepEqual([served.root, served.modelsDir], [dist, join(dist, 'models')]);
    await served.dispose();
  });

  it('with --model-dir: dist without its models, that folder as models/, gone after dispose', async () => {
    const dist = join(await scratch, 'dist-b');
    const models = join(await scratch, 'other-models');
    await tree(dist, { 'bench.html': 'page', 'assets/a.js': 'js', 'models/manifest.json': 'old' });
    await tree(models, { 'manifest.json': 'new', 'm/1/onnx-fp32/model.onnx': 'onnx' });
    const served = await prepareServedRoot(models, dist, await scratch);
    assert.equal(await readFile(join(served.root, 'assets/a.js'), 'utf8'), 'js');
    assert.equal(await readFile(join(served.modelsDir, 'manifest.json'), 'utf8'), 'new');
    assert.equal(await readFile(join(served.modelsDir, 'm/1/onnx-fp32/model.onnx'), 'utf8'), 'onnx');
    await served.dispose();
    assert.equal(existsSync(served.root), false);
    assert.equal(await readFile(join(dist, 'models/manifest.json'), 'utf8'), 'old');
  });
});
