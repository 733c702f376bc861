import { ONNX_GRAD_CAM_OUTPUT } from '../../shared/model-contract.js';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

/**
 * Grad-CAM inside the ONNX graph, so that one run gives the probabilities and the map.
 *
 * The head is global average pooling then Dense layers, so the gradient of the top class's score
 * (before softmax) at the pooled features has a closed form: the chosen column of the last kernel, taken
 * back through each earlier Dense layer (its ReLU's mask from the pre-activation, then its kernel
 * transposed). That gradient is Grad-CAM's channel weights α; the 1/(H·W) of the pooling is a constant
 * factor that the caller's scaling to the maximum removes. The map is ReLU(Σ_k α_k·A_k) over the last
 * convolutional block's activation A, [N, H, W].
 */

export interface GradCamDense {
  name: string;
  /** The float32 kernel tensor, [in, out] as Keras stores it. */
  kernel: string;
  /** The Gemm output before the activation. */
  preActivation: string;
  relu: boolean;
}

export interface GradCamHead {
  /** The last convolutional block's activation, NCHW: the pooling's input. */
  features: string;
  /** The Dense layers from the pooled features to the class scores, in order. */
  dense: GradCamDense[];
  /** The model's output, whose top class (the first of equal maxima, as topGrade picks) the map explains. */
  scores: string;
}

export function addGradCam(builder: OnnxGraphBuilder, head: GradCamHead): string {
  const last = head.dense.at(-1);
  if (!last) throw new Error('Grad-CAM needs at least one Dense layer after the pooling');
  const p = ONNX_GRAD_CAM_OUTPUT;
  const topClass = builder.node('ArgMax', `${p}/argmax`, [head.scores], `${p}/class`, {
    axis: { int: 1 },
    keepdims: { int: 0 },
  });
  // ∂score_c/∂(last layer's input) is column c of its kernel: row c of the transpose.
  const rows = builder.node('Transpose', `${p}/${last.name}/transpose`, [last.kernel], `${p}/${last.name}/rows`, {
    perm: { ints: [1, 0] },
  });
  let gradient = builder.node('Gather', `${p}/${last.name}/gather`, [rows, topClass], `${p}/${last.name}/input_grad`, {
    axis: { int: 0 },
  });
  const zero = builder.float32(`${p}/zero`, [], new Float32Array([0]));
  for (const layer of head.dense.slice(0, -1).reverse()) {
    if (layer.relu) {
      // TF's ReLU gradient: 1 where the pre-activation is > 0, else 0 (also at 0).
      const active = builder.node(
        'Greater',
        `${p}/${layer.name}/active`,
        [layer.preActivation, zero],
        `${p}/${layer.name}/active`,
      );
      gradient = builder.node(
        'Where',
        `${p}/${layer.name}/mask`,
        [active, gradient, zero],
        `${p}/${layer.name}/output_grad`,
      );
    }
    gradient = builder.node(
      'Gemm',
      `${p}/${layer.name}/backward`,
      [gradient, layer.kernel],
      `${p}/${layer.name}/input_grad`,
      {
        transB: { int: 1 },
      },
    );
  }
  const spatialAxes = builder.int64(`${p}/spatial_axes`, [2], [2, 3]);
  const channelAxis = builder.int64(`${p}/channel_axis`, [1], [1]);
  const alpha = builder.node('Unsqueeze', `${p}/alpha`, [gradient, spatialAxes], `${p}/alpha`);
  const weighted = builder.node('Mul', `${p}/weighted`, [head.features, alpha], `${p}/weighted`);
  const summed = builder.node('ReduceSum', `${p}/sum`, [weighted, channelAxis], `${p}/linear`, {
    keepdims: { int: 0 },
  });
  return builder.node('Relu', `${p}/relu`, [summed], ONNX_GRAD_CAM_OUTPUT);
}
