// Loads the built package by its own name both ways in one process, as an ES-module app with a
// CommonJS dependency does: `import('tfjs-subspace/…')` and `require('tfjs-subspace/…')` (Node
// resolves both through package.json "exports"). Prints one JSON object: whether the two give one
// copy of the library (the same classes, errors that are instances across them, one registration
// with tf.serialization) and a save → load → bind → compact-checkpoint round trip that crosses from
// one to the other, both ways (test/package/dual-package.test.ts).
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

const require = createRequire(import.meta.url);
// Every entry package.json "exports" lists: '.' as root, './<name>' as <name>.
const ENTRIES = Object.fromEntries(
  Object.keys(require('../../package.json').exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? ['root', 'tfjs-subspace'] : [key.slice(2), `tfjs-subspace/${key.slice(2)}`])),
);
const esm = {};
const cjs = {};
for (const [key, id] of Object.entries(ENTRIES)) {
  esm[key] = await import(id);
  cjs[key] = require(id);
}
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');

// Which file each specifier resolves to, both ways (relative to the package).
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const relative = (file) => path.relative(packageRoot, file).split(path.sep).join('/');
const resolved = Object.fromEntries(
  Object.entries(ENTRIES).map(([key, id]) => [key, { import: relative(fileURLToPath(import.meta.resolve(id))), require: relative(require.resolve(id)) }]),
);

// Every exported value, compared between the two: the names whose values differ.
const names = (m) => Object.keys(m).filter((n) => n !== 'default' && n !== '__esModule').sort();
const exportsMatch = Object.fromEntries(
  Object.keys(ENTRIES).map((key) => [
    key,
    {
      sameNames: JSON.stringify(names(esm[key])) === JSON.stringify(names(cjs[key])),
      count: names(esm[key]).length,
      different: names(esm[key]).filter((n) => esm[key][n] !== cjs[key][n]),
    },
  ]),
);

/** The error `f` throws (or rejects with), checked against the classes of `other` (an entry, then the root). */
async function thrownAgainst(other, root, f) {
  try {
    await f();
    return { threw: false };
  } catch (e) {
    const name = e.constructor.name;
    return { threw: true, name, sameClass: e instanceof (other[name] ?? root[name]), subspace: e instanceof root.SubspaceError };
  }
}
/** A call that throws a typed error, for each entry that has one. */
const THROWERS = {
  root: (m) => m.gaussianBasis(4, 8, { seed: 1 }),
  intrinsic: (m) => m.intrinsicDimension({}),
  models: (m) => m.fcDigits({ seed: 1.5 }),
  data: (m) => m.parseIdx(new Uint8Array(3)),
  node: (m) => m.fashionMnist({ dir: '/nonexistent/tfjs-subspace-dual' }),
};
/** The error a function of each entry of `from` throws, against the classes of `to`. */
async function crossErrors(from, to) {
  const out = {};
  for (const [key, f] of Object.entries(THROWERS)) out[key] = await thrownAgainst(to[key], to.root, () => f(from[key]));
  return out;
}


function makeModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return model;
}
/** model.save with its optimizer, to memory: the artifacts. */
async function saveToMemory(model) {
  let artifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return artifacts;
}

/**
 * The tensors one model.save({includeOptimizer}) leaves with a plain tf.train.adam: tfjs-layers does
 * not dispose the iteration scalar it gets from optimizer.getWeights() (tfjs' own leak, 1 in 4.22).
 */
async function tfjsLeakPerSave() {
  const model = makeModel();
  const before = tf.memory().numTensors;
  const adam = tf.train.adam(0.05);
  model.compile({ optimizer: adam, loss: 'meanSquaredError' });
  await saveToMemory(model);
  adam.dispose();
  const left = tf.memory().numTensors - before;
  model.dispose();
  return left;
}

const sameValues = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Trains with an optimizer built by `saver` (projectGradients of Adam, a gaussianBasis), saves the
 * model with its optimizer, loads it, and binds and checkpoints with `loader`.
 */
async function roundTrip(saver, loader) {
  const out = {};
  const model = makeModel();
  const fresh = makeModel();
  const D = saver.trainableParameterCount(model);
  const basis = saver.gaussianBasis(D, 3, { seed: 7 });
  const opt = saver.projectGradients(tf.train.adam(0.05), basis, { variables: model });
  const x = tf.tidy(() => tf.randomNormal([8, 4], 0, 1, 'float32', 3));
  const y = tf.tidy(() => tf.randomNormal([8, 2], 0, 1, 'float32', 4));
  let loaded;
  try {
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    out.trainedIterations = opt.iterations;
    out.optimizerIsLoaders = opt instanceof loader.SubspaceOptimizer && opt instanceof loader.ProjectedGradientOptimizer;

    // The loader's compactCheckpoint takes the saver's gaussianBasis as seeded, and its
    // loadCompactCheckpoint puts the trained weights into a fresh model.
    const checkpoint = loader.compactCheckpoint(opt);
    out.checkpointBasis = checkpoint.basis;
    loader.loadCompactCheckpoint(checkpoint, fresh);
    const [p1, p2] = [model, fresh].map((m) => Array.from(tf.tidy(() => m.predict(x).dataSync())));
    out.checkpointPredictsAlike = sameValues(p1, p2);

    // model.save with the optimizer (a memory handler), tf.loadLayersModel, then the loader binds.
    loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    const restored = loaded.optimizer;
    out.restoredClass = restored?.constructor?.name;
    out.restoredIsLoaders = restored instanceof loader.ProjectedGradientOptimizer;
    out.restoredIsSavers = restored instanceof saver.ProjectedGradientOptimizer;
    const bound = loader.bindRestoredOptimizer(restored, loaded);
    out.bound = { iterations: bound.iterations, mode: bound.mode, same: bound === restored };
    const [z0, z1] = [opt, bound].map((o) => {
      const z = o.coordinates();
      const values = Array.from(z.dataSync());
      z.dispose();
      return values;
    });
    out.sameCoordinates = sameValues(z0, z1);
    const again = loader.compactCheckpoint(bound);
    out.restoredCheckpointSame = again.z === checkpoint.z && again.basisFingerprint === checkpoint.basisFingerprint;
    // The restored optimizer trains on.
    await loaded.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    out.continuedIterations = bound.iterations;
  } catch (e) {
    out.error = `${e.constructor.name}: ${e.message}`;
  }
  loaded?.optimizer?.dispose(); // a restored optimizer owns the basis it rebuilt
  loaded?.dispose();
  for (const t of [opt, basis, model, fresh, x, y]) t.dispose();
  return out;
}

const leakPerSave = await tfjsLeakPerSave();
const tensorsBefore = tf.memory().numTensors;
const registered = tf.serialization.SerializationMap.getMap().classNameMap;
const result = {
  resolved,
  exports: exportsMatch,
  errors: { esmToCjs: await crossErrors(esm, cjs), cjsToEsm: await crossErrors(cjs, esm) },
  registered: {
    gradient: registered.ProjectedGradient?.[0] === esm.root.ProjectedGradientOptimizer && registered.ProjectedGradient?.[0] === cjs.root.ProjectedGradientOptimizer,
    parameter: registered.ProjectedParameter?.[0] === esm.root.ProjectedParameterOptimizer && registered.ProjectedParameter?.[0] === cjs.root.ProjectedParameterOptimizer,
  },
  roundTrip: { esmToCjs: await roundTrip(esm.root, cjs.root), cjsToEsm: await roundTrip(cjs.root, esm.root) },
};
// Two saves (one a round trip): what tfjs-layers leaves of them is not the library's.
result.tfjsLeakPerSave = leakPerSave;
result.saves = 2;
result.tensorsLeft = tf.memory().numTensors - tensorsBefore;
console.log(JSON.stringify(result));
