import type * as tfjs from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type { RunSummary } from '../../docs/demo/src/run-summary';
import type { Basis, SubspaceOptimizer } from '../../src';
import type { IntrinsicDimensionResult } from '../../src/intrinsic';

export type { RunSummary };

/**
 * What demo-page.test.ts reads from the demo page (docs/demo): the `window.subspaceDemo` object it
 * publishes (restated here with the library's types: the page's own modules resolve 'tfjs-subspace'
 * through the demo's tsconfig only), the number panel, and an independent recomputation from the
 * trained model.
 */

export interface DemoWindow {
  subspaceDemo: {
    tf: typeof tfjs;
    status: string;
    backend: { name: string; skipped: Array<{ name: string; reason: string }> } | null;
    run: {
      model: tfjs.LayersModel;
      optimizer: SubspaceOptimizer;
      basis: Basis;
      test: { x: tfjs.Tensor; y: tfjs.Tensor2D };
      dispose(): void;
    } | null;
    summary: RunSummary | null;
    sweep: IntrinsicDimensionResult | null;
    error: string | null;
  };
}

/** Each number panel entry: the shown text parsed back to a number, and its unrounded data-value. */
export type Panel = Record<string, { text: string; shown: number; value: number }>;

export async function readPanel(page: Page): Promise<Panel> {
  const entries = await page.$$eval('dl.stats dd', (nodes) =>
    nodes.map((n) => [n.id, n.textContent ?? '', (n as HTMLElement).dataset.value ?? ''] as const),
  );
  const panel: Panel = {};
  for (const [id, text, value] of entries) {
    const number = Number(text.replace(/,/g, '').replace(/[% s]+$/, ''));
    panel[id] = { text, shown: text.endsWith('%') ? number / 100 : number, value: value === '' ? NaN : Number(value) };
  }
  return panel;
}

export interface Recomputed {
  /** argmax(model.predict(test.x)) == argmax(test.y), counted. */
  accuracy: number;
  testExamples: number;
  /** Σ sizes of the model's trainable weights, and `model.countParams()`. */
  weightSizes: number;
  countParams: number;
  basisDim: number;
  /** ‖(I − QQᵀ)(θ − θ0)‖ and ‖θ − θ0‖ from θ (the weights), θ0 (the optimizer's origin) and the basis. */
  distance: number;
  displacement: number;
  /** tf.memory().numTensors after the page's run is disposed. */
  numTensorsAfterDispose: number;
}

/** Recomputes the run's numbers in the page from the trained model, then disposes the run. */
export function recompute(page: Page): Promise<Recomputed> {
  return page.evaluate(async () => {
    const demo = (window as unknown as DemoWindow).subspaceDemo;
    const { tf } = demo;
    const run = demo.run;
    if (!run) throw new Error('the page kept no run');
    const { model, optimizer, basis, test } = run;
    const [correct, norms] = tf.tidy(() => {
      const predicted = tf.argMax(model.predict(test.x) as tfjs.Tensor, -1);
      const right = tf.sum(tf.cast(tf.equal(predicted, tf.argMax(test.y, -1)), 'int32'));
      const theta = tf.concat(model.trainableWeights.map((w) => tf.reshape(w.read(), [-1])));
      const r = tf.sub(theta, optimizer.origin) as tfjs.Tensor1D;
      const off = tf.sub(r, basis.lift(basis.project(r)));
      return [right, tf.stack([tf.norm(off), tf.norm(r)])];
    });
    const [k] = await correct.data();
    const [distance, displacement] = await norms.data();
    tf.dispose([correct, norms]);
    const n = test.x.shape[0];
    const result = {
      accuracy: k / n,
      testExamples: n,
      weightSizes: model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0),
      countParams: model.countParams(),
      basisDim: basis.dim,
      distance,
      displacement,
      numTensorsAfterDispose: 0,
    };
    run.dispose();
    demo.run = null;
    result.numTensorsAfterDispose = tf.memory().numTensors;
    return result;
  });
}

/** Makes WebGL unavailable to the page (before its scripts run): tfjs must fall back. */
export async function blockWebgl(page: Page): Promise<void> {
  await page.addInitScript(() => {
    for (const proto of [HTMLCanvasElement.prototype, globalThis.OffscreenCanvas?.prototype]) {
      if (!proto) continue;
      const getContext = proto.getContext as (this: unknown, type: string, ...rest: unknown[]) => unknown;
      Object.defineProperty(proto, 'getContext', {
        value(this: unknown, type: string, ...rest: unknown[]) {
          return /webgl/i.test(type) ? null : getContext.call(this, type, ...rest);
        },
      });
    }
  });
}
