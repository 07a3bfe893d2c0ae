import * as tf from '@tensorflow/tfjs-core';
import { channelsLastOnly } from './kernel-util';

/** The attributes of tfjs's pooling kernels (forward and gradient). */
export interface PoolAttrs {
  filterSize: number | number[];
  strides: number | number[];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

/** A 2D or 3D pooling window geometry as one 3D one (2D: depth 1); triples are [depth, height, width]. */
export interface Geometry {
  batch: number;
  channels: number;
  inShape: [number, number, number];
  outShape: [number, number, number];
  filter: [number, number, number];
  strides: [number, number, number];
  pads: [number, number, number];
}

/** The geometry of a 2D pooling (NHWC input of this shape). */
export function geometry2D(shape: number[], a: PoolAttrs): Geometry {
  const c = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], a.filterSize as [number, number], a.strides as [number, number], 1, a.pad, a.dimRoundingMode);
  return {
    batch: c.batchSize,
    channels: c.inChannels,
    inShape: [1, c.inHeight, c.inWidth],
    outShape: [1, c.outHeight, c.outWidth],
    filter: [1, c.filterHeight, c.filterWidth],
    strides: [1, c.strideHeight, c.strideWidth],
    pads: [0, c.padInfo.top, c.padInfo.left],
  };
}

/** The geometry of a 3D pooling (NDHWC input of this shape; NCDHW is refused). */
export function geometry3D(shape: number[], a: PoolAttrs): Geometry {
  channelsLastOnly('3D pooling', a.dataFormat);
  const c = tf.backend_util.computePool3DInfo(shape as [number, number, number, number, number], a.filterSize as [number, number, number], a.strides as [number, number, number], 1, a.pad, a.dimRoundingMode);
  return {
    batch: c.batchSize,
    channels: c.inChannels,
    inShape: [c.inDepth, c.inHeight, c.inWidth],
    outShape: [c.outDepth, c.outHeight, c.outWidth],
    filter: [c.filterDepth, c.filterHeight, c.filterWidth],
    strides: [c.strideDepth, c.strideHeight, c.strideWidth],
    pads: [c.padInfo.front, c.padInfo.top, c.padInfo.left],
  };
}
