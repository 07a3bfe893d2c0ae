import * as tf from '@tensorflow/tfjs-core';

type Triple = [number, number, number];

/**
 * Registers the gradients tfjs-core 4.22 lacks for layers of tfjs-layers, on every backend:
 * - `Conv3DBackpropInputV2` (the forward pass of Conv3DTranspose): ∂/∂dy = conv3d(ddx, filter) and
 *   ∂/∂filter = Conv3DBackpropFilterV2(ddx, dy), the 3D form of tfjs-core's Conv2DBackpropInput gradient;
 * - `Greater` (ThresholdedReLU multiplies x by cast(x > θ)): zero for both inputs, as TensorFlow
 *   declares comparisons not differentiable.
 * Returns the names it registered (none already registered is replaced).
 */
export function registerCoreGradients(): string[] {
  const added: string[] = [];
  if (tf.getGradient('Conv3DBackpropInputV2') === undefined) {
    tf.registerGradient({
      kernelName: 'Conv3DBackpropInputV2',
      inputsToSave: ['dy', 'filter'],
      gradFunc: (ddx, saved, attrs) => {
        const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
        const { strides, pad } = attrs as unknown as { strides: Triple; pad: 'same' | 'valid' };
        return {
          dy: () => tf.conv3d(ddx as tf.Tensor5D, filter, strides, pad),
          filter: () =>
            tf.engine().runKernel('Conv3DBackpropFilterV2', { x: ddx as tf.Tensor, dy }, { strides, pad, filterShape: filter.shape }) as tf.Tensor,
        };
      },
    });
    added.push('gradient of Conv3DBackpropInputV2');
  }
  if (tf.getGradient('Greater') === undefined) {
    tf.registerGradient({
      kernelName: 'Greater',
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved;
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
    added.push('gradient of Greater');
  }
  return added;
}
