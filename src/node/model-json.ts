import * as tf from '@tensorflow/tfjs-core';
import { isAbsolute, normalize } from 'path';
import { ModelFileError } from './model-file-error';

/** The two files of a saved model, as tfjs-node and tfjs's http handler name them. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * The model.json of `artifacts`: every field tfjs-layers' `model.save` fills (the topology, format,
 * generatedBy, convertedBy; with `includeOptimizer` the training config, and the optimizer's weight
 * specs among the weights'), user metadata, and a weightsManifest naming one weights.bin that holds
 * the weights in spec order — the layout tfjs-node writes and `tf.io.http` reads.
 */
export function modelJsonOf(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  const optional = ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;
  for (const key of optional) {
    if (artifacts[key] != null) (json as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  return json;
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * How many bytes the weights of `specs` take, in the encoding tf.io.encodeWeights writes (quantized
 * weights at their stored width); null when that cannot be known without reading the data (strings
 * carry their own lengths) or when a spec is malformed.
 */
export function manifestBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const width = BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype];
    if (width === undefined || !Array.isArray(spec.shape)) return null;
    total += width * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Checks what was parsed from `file` before anything is read by it: a JSON object with a
 * modelTopology or a weightsManifest, whose manifest lists groups of relative paths inside the
 * model's folder (none may climb out of it) and their weight specs.
 */
export function checkModelJson(json: unknown, file: string): asserts json is tf.io.ModelJSON {
  const fail = (problem: string) => {
    throw new ModelFileError(`${file} ${problem}: it is not a model.json written by model.save; save the model again (model.save(fileSystem(folder))).`, file);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('is not a JSON object');
  const { modelTopology, weightsManifest } = json as Partial<tf.io.ModelJSON>;
  if (modelTopology == null && weightsManifest == null) fail('has neither modelTopology nor weightsManifest');
  if (weightsManifest == null) return;
  if (!Array.isArray(weightsManifest)) fail('has a weightsManifest that is not a list');
  for (const group of weightsManifest) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail('has a weightsManifest group without a list of paths and a list of weights');
    }
    for (const path of group.paths) {
      if (typeof path !== 'string' || path === '' || isAbsolute(path) || normalize(path).split(/[\\/]/)[0] === '..') {
        fail(`lists the weights file ${JSON.stringify(path)}, which is not a relative path inside its folder`);
      }
    }
  }
}
