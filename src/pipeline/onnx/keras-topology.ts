/**
 * The Keras functional-model topology that TF.js writes into model.json (`modelTopology`), read as
 * plain JSON: layers in topological order, each with the layers feeding it.
 */

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Producing layers, in call order (one entry per input tensor). */
  inputs: string[];
}

export interface KerasGraph {
  name: string;
  layers: KerasLayer[];
  input: string;
  output: string;
}

type Json = Record<string, unknown>;

function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what}: expected an object`);
  return value as Json;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array`);
  return value;
}

/** `[[name, nodeIndex, tensorIndex], ...]` → the single layer name, which must be node 0, tensor 0. */
function singleEndpoint(value: unknown, what: string): string {
  const list = asArray(value, what);
  if (list.length !== 1) throw new Error(`${what}: expected exactly one, got ${list.length}`);
  return endpointLayer(list[0], what);
}

function endpointLayer(value: unknown, what: string): string {
  const [name, nodeIndex, tensorIndex] = asArray(value, what);
  if (typeof name !== 'string') throw new Error(`${what}: expected a layer name`);
  if (nodeIndex !== 0 || tensorIndex !== 0) {
    throw new Error(
      `${what}: ${name} is used as node ${String(nodeIndex)}/tensor ${String(tensorIndex)}; shared layers and multi-output layers are not supported`,
    );
  }
  return name;
}

export function parseKerasTopology(topology: unknown): KerasGraph {
  const root = asObject(topology, 'modelTopology');
  if (root['class_name'] !== 'Model' && root['class_name'] !== 'Functional') {
    throw new Error(`modelTopology: expected a functional Model, got ${String(root['class_name'])}`);
  }
  const config = asObject(root['config'], 'modelTopology.config');
  const layers = asArray(config['layers'], 'modelTopology.config.layers').map((value, index): KerasLayer => {
    const layer = asObject(value, `layer ${index}`);
    const name = layer['name'];
    const className = layer['class_name'];
    if (typeof name !== 'string' || typeof className !== 'string')
      throw new Error(`layer ${index}: missing name or class_name`);
    const nodes = asArray(layer['inbound_nodes'], `${name}.inbound_nodes`);
    if (nodes.length > 1) throw new Error(`${name}: called ${nodes.length} times; shared layers are not supported`);
    const inputs =
      nodes.length === 0
        ? []
        : asArray(nodes[0], `${name}.inbound_nodes[0]`).map((e) => endpointLayer(e, `${name} input`));
    return { name, className, config: asObject(layer['config'], `${name}.config`), inputs };
  });
  return {
    name: typeof config['name'] === 'string' ? config['name'] : 'model',
    layers,
    input: singleEndpoint(config['input_layers'], 'input_layers'),
    output: singleEndpoint(config['output_layers'], 'output_layers'),
  };
}

export function configNumber(layer: KerasLayer, key: string): number {
  const value = layer.config[key];
  if (typeof value !== 'number')
    throw new Error(`${layer.name}: config.${key} should be a number, got ${JSON.stringify(value)}`);
  return value;
}

export function configString(layer: KerasLayer, key: string): string {
  const value = layer.config[key];
  if (typeof value !== 'string')
    throw new Error(`${layer.name}: config.${key} should be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A 2-D size (kernel, strides, dilation) that Keras stores as an int or a pair. */
export function configPair(layer: KerasLayer, key: string): [number, number] {
  const value = layer.config[key];
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value as unknown[];
    if (typeof a === 'number' && typeof b === 'number') return [a, b];
  }
  throw new Error(`${layer.name}: config.${key} should be a number or a pair, got ${JSON.stringify(value)}`);
}
