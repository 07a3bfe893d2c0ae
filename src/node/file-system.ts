import * as tf from '@tensorflow/tfjs-core';
import { Stats } from 'fs';
import { mkdir, open, readFile, stat } from 'fs/promises';
import { basename, dirname, join, resolve } from 'path';
import { ModelFileError } from './model-file-error';
import { checkModelJson, manifestBytes, MODEL_JSON, modelJsonOf, WEIGHTS_BIN } from './model-json';
import { writeFilesSafely } from './safe-write';

/**
 * A `tf.io.IOHandler` that saves a model into a folder as tfjs-node does — `model.json` (topology,
 * weightsManifest naming one `weights.bin`, training config and the optimizer's weights with
 * `includeOptimizer`, user metadata) and `weights.bin` — and loads such a folder back. Needs no
 * tfjs-node; the folder also loads with tfjs-node's `file://` handler and, served over HTTP, with
 * `tf.loadLayersModel('http://…/model.json')` in a browser.
 *
 * `path` is the folder, or its model.json (a path whose last part is `model.json` and that is not a
 * folder): both save into and load from the same folder. Saving creates the folder (and its parents),
 * writes both files to temporary names and renames them into place, so a failed save leaves the old
 * files whole. Loading checks that every weights file exists and that their bytes add up to what the
 * manifest describes. Every failure is a {@link ModelFileError} naming the file and the fix.
 *
 * @example
 *   import { fileSystem } from 'tfjs-subspace/node';
 *   await model.save(fileSystem('out/model'), { includeOptimizer: true });
 *   const back = await tf.loadLayersModel(fileSystem('out/model'));
 *   bindRestoredOptimizer(back.optimizer, back); // then train on, bit for bit
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path === '') {
    throw new ModelFileError(`fileSystem(path): path must be a non-empty string naming the model's folder, got ${JSON.stringify(path)}.`, String(path));
  }
  return new FileSystemHandler(resolve(path));
}

class FileSystemHandler implements tf.io.IOHandler {
  constructor(readonly path: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new ModelFileError(`fileSystem('${this.path}'): cannot save a binary (GraphDef) topology; only tfjs-layers models (JSON topology) are saved.`, this.path);
    }
    const parts = weightParts(artifacts.weightData);
    const length = parts.reduce((n, p) => n + p.byteLength, 0);
    const expected = manifestBytes(artifacts.weightSpecs ?? []);
    if (expected !== null && expected !== length) {
      throw new ModelFileError(`fileSystem('${this.path}'): the model gave ${length} bytes of weights for specs describing ${expected}; nothing was written.`, this.path);
    }
    const folder = await this.folderToSave();
    try {
      await writeFilesSafely([
        { path: join(folder, WEIGHTS_BIN), parts },
        { path: join(folder, MODEL_JSON), parts: [Buffer.from(JSON.stringify(modelJsonOf(artifacts)), 'utf8')] },
      ]);
    } catch (e) {
      throw new ModelFileError(`cannot save into ${folder}: ${(e as Error).message}. Its ${WEIGHTS_BIN} and ${MODEL_JSON} are as they were; free the space or fix the folder and save again.`, folder);
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const file = await this.modelJsonToLoad();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ModelFileError(`cannot read ${file}: ${(e as Error).message}.`, file);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ModelFileError(`${file} is not valid JSON (${text.length} characters; cut short by an interrupted copy?): save the model again (model.save(fileSystem(folder))).`, file);
    }
    checkModelJson(json, file);
    return tf.io.getModelArtifactsForJSON(json, (manifest) => readWeights(manifest, dirname(file), file));
  }

  /** The folder to save into: created when missing; a file where it should be is refused. */
  private async folderToSave(): Promise<string> {
    const info = await statOrNull(this.path);
    const folder = basename(this.path) === MODEL_JSON && !info?.isDirectory() ? dirname(this.path) : this.path;
    if (folder === this.path && info?.isFile()) {
      throw new ModelFileError(`cannot save into ${folder}: it is a file. Pass a folder (it gets ${MODEL_JSON} and ${WEIGHTS_BIN}), or the path of its ${MODEL_JSON}.`, folder);
    }
    if (folder === this.path && !info && /\.json$/i.test(folder)) {
      throw new ModelFileError(`cannot save into ${folder}: saving writes a folder with ${MODEL_JSON} and ${WEIGHTS_BIN}, and this names a .json file; pass its folder, ${dirname(folder)}.`, folder);
    }
    try {
      await mkdir(folder, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'it, or a folder above it, is a file' : (e as Error).message;
      throw new ModelFileError(`cannot create the folder ${folder}: ${why}. Pass a folder that does not exist yet or is a folder.`, folder);
    }
    return folder;
  }

  /** model.json: the path itself when it is a file, else the folder's model.json. */
  private async modelJsonToLoad(): Promise<string> {
    const info = await statOrNull(this.path);
    if (info?.isFile()) return this.path;
    if (info?.isDirectory()) {
      const file = join(this.path, MODEL_JSON);
      if (!(await statOrNull(file))?.isFile()) {
        throw new ModelFileError(`${this.path} has no ${MODEL_JSON}: pass the folder a model was saved into (model.save(fileSystem(folder))), or the path of its model.json.`, file);
      }
      return file;
    }
    const file = basename(this.path) === MODEL_JSON ? this.path : join(this.path, MODEL_JSON);
    throw new ModelFileError(`no model to load at ${this.path}: ${file} does not exist. Pass the folder a model was saved into, or the path of its model.json.`, file);
  }
}

/** The weights as byte views, without copying (tfjs 4.22 may hand several buffers). */
function weightParts(data: tf.io.WeightData | undefined): Uint8Array[] {
  if (data == null) return [];
  return (Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b));
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new ModelFileError(`cannot read ${path}: ${(e as Error).message}.`, path);
  }
}

/**
 * Reads the manifest's files, in order, into one buffer, after checking that each exists and that
 * their sizes add up to the bytes the weight specs describe (a short or a stray weights.bin is refused
 * before tfjs would decode garbage or read past its end).
 */
async function readWeights(manifest: tf.io.WeightsManifestConfig, folder: string, file: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs = manifest.flatMap((group) => group.weights);
  const paths = manifest.flatMap((group) => group.paths.map((p) => join(folder, p)));
  const sizes: number[] = [];
  for (const path of paths) {
    const info = await statOrNull(path);
    if (!info?.isFile()) {
      throw new ModelFileError(`${path} is missing: ${file} lists it in its weightsManifest. Copy the whole folder the model was saved into, or save it again.`, path);
    }
    sizes.push(info.size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const expected = manifestBytes(specs);
  if (expected !== null && total !== expected) {
    const which = paths.length === 1 ? `${paths[0]} has ${total} bytes` : `the weights files have ${total} bytes together`;
    const kind = total < expected ? 'cut short (an interrupted copy or save?)' : 'from another save';
    throw new ModelFileError(`${which}, but ${file}'s weightsManifest describes ${expected} (${specs.length} weights): the data is ${kind}. Save the model again, or copy model.json and ${WEIGHTS_BIN} together.`, paths[0]);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < paths.length; i++) {
    await readExactly(paths[i], bytes.subarray(offset, offset + sizes[i]));
    offset += sizes[i];
  }
  return [specs, bytes.buffer];
}

/** Fills `into` from the start of `path`; a file that shrank since it was measured is refused. */
async function readExactly(path: string, into: Uint8Array): Promise<void> {
  const handle = await open(path, 'r');
  try {
    for (let done = 0; done < into.byteLength; ) {
      const { bytesRead } = await handle.read(into, done, into.byteLength - done, done);
      if (bytesRead === 0) throw new ModelFileError(`${path} became shorter while it was read (${done} of ${into.byteLength} bytes): is a save to this folder running?`, path);
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
