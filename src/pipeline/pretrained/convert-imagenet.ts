import type * as tf from '@tensorflow/tfjs';
import { readTfjsModel } from '../export/tfjs-files.js';
import { loadKerasImagenetBackbone } from '../model/keras-imagenet-resnet50.js';
import { buildResNet50Classifier } from '../model/resnet50-classifier.js';

/**
 * Our ResNet50 classifier with the ImageNet package's backbone weights (see
 * keras-imagenet-resnet50.ts) and a freshly initialised head (`seed`).
 */
export async function imagenetClassifier(
  packageModelDir: string,
  options: { seed?: number; inputSize?: number } = {},
): Promise<tf.LayersModel> {
  const source = await readTfjsModel(packageModelDir);
  const model = buildResNet50Classifier({ ...options });
  loadKerasImagenetBackbone(model, source.weights);
  return model;
}
