import type { RuntimeName } from '../shared/protocol.js';

export const RUNTIME_LABELS: Record<RuntimeName, string> = { tfjs: 'TensorFlow.js', ort: 'ONNX Runtime' };
