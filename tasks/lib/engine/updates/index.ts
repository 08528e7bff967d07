import type * as tf from '@tensorflow/tfjs-core';
import type { Algorithm } from '../../types.js';
import { brunetStep } from './brunet.js';
import { leeStep } from './lee.js';
import { halsStep } from './hals.js';

/** One update (a sweep of H then W) of (W, H) against A; returns new tensors, leaves its inputs alone. */
export type UpdateRule = (
  A: tf.Tensor2D,
  W: tf.Tensor2D,
  H: tf.Tensor2D,
  eps: number,
) => { W: tf.Tensor2D; H: tf.Tensor2D };

export const UPDATE_RULES: Record<Algorithm, UpdateRule> = {
  brunet: brunetStep,
  lee: leeStep,
  hals: halsStep,
};
