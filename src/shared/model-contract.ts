/**
 * The input contract both model variants share (see README "Model contract").
 * TF.js variant: NHWC float32 in 0..255, normalisation is a layer inside the graph.
 * ONNX variant: NCHW float32, (x/255 - mean)/std applied by the worker before the session runs.
 */
export const INPUT_SIZE = 300;
export const CHANNELS = 3;

/** ImageNet statistics (RGB order), the PyTorch lineage's normalisation. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export type TensorLayout = 'NHWC' | 'NCHW';

/**
 * The ONNX variant's second output: Grad-CAM of its top grade over the last convolutional block,
 * [N, height, width], before any scaling (src/pipeline/onnx/keras-to-onnx.ts writes it).
 */
export const ONNX_GRAD_CAM_OUTPUT = 'grad_cam';
