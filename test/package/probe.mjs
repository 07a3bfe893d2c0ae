// Loads the built package by its own name, as a user's code would (Node resolves "tfjs-subspace/…"
// through package.json "exports"), in one module format: `node probe.mjs esm` imports the .mjs
// files, `node probe.mjs cjs` requires the .js files. Prints one JSON object: each entry's export
// names and the checks that the entries share one copy of the library (test/package/entries.test.ts).
import { createRequire } from 'module';

const format = process.argv[2];
const ENTRIES = { root: 'tfjs-subspace', tools: 'tfjs-subspace/tools', intrinsic: 'tfjs-subspace/intrinsic', data: 'tfjs-subspace/data', models: 'tfjs-subspace/models', node: 'tfjs-subspace/node' };
const require = createRequire(import.meta.url);
const load = async (id) => (format === 'cjs' ? require(id) : import(id));

const mods = {};
for (const [key, id] of Object.entries(ENTRIES)) mods[key] = await load(id);
const tf = require('@tensorflow/tfjs'); // the cpu backend and tfjs-layers (the models entry builds tfjs-layers models)
await tf.setBackend('cpu');
const { root, intrinsic, data, models, node } = mods;

/** The error `f` throws (or rejects with), checked against the root entry's classes. */
async function thrown(f) {
  try {
    await f();
    return { threw: false };
  } catch (e) {
    return { threw: true, name: e.constructor.name, invalidArgument: e instanceof root.InvalidArgumentError, subspace: e instanceof root.SubspaceError };
  }
}

const tensorsBefore = tf.memory().numTensors;
const v = tf.tidy(() => tf.variable(tf.zeros([4]))); // the zeros freed, the variable kept
const basis = root.gaussianBasis(4, 2, { seed: 1 });
const gradient = root.projectGradients(tf.train.sgd(0.1), basis, { variables: [v] });
const parameter = root.projectParameters(tf.train.sgd(0.1), basis, { variables: [v] });
const registered = tf.serialization.SerializationMap.getMap().classNameMap;

const result = {
  format,
  names: Object.fromEntries(Object.entries(mods).map(([k, m]) => [k, Object.keys(m).filter((n) => n !== 'default' && n !== '__esModule').sort()])),
  errors: {
    intrinsic: await thrown(() => intrinsic.intrinsicDimension({})),
    models: await thrown(() => models.fcDigits({ seed: 1.5 })),
    data: await thrown(() => data.parseIdx(new Uint8Array(3))),
    node: await thrown(() => node.fashionMnist({ dir: '/nonexistent/tfjs-subspace-probe' })),
  },
  // Where the node entry finds an npm package (the ES-module build has no require of its own).
  packageDir: (() => {
    try {
      return node.mnistDataDir();
    } catch (e) {
      return e.constructor.name;
    }
  })(),
  // tf.serialization holds the classes the root entry's factories build (one copy, registered once).
  registered: {
    gradient: registered.ProjectedGradient?.[0] === gradient.constructor,
    parameter: registered.ProjectedParameter?.[0] === parameter.constructor,
    base: gradient instanceof root.SubspaceOptimizer && parameter instanceof root.SubspaceOptimizer,
  },
};
gradient.dispose();
parameter.dispose();
basis.dispose();
v.dispose();
result.tensorsLeft = tf.memory().numTensors - tensorsBefore;
console.log(JSON.stringify(result));
