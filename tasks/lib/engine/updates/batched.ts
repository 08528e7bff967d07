import * as tf from '@tensorflow/tfjs-core';
import type { Algorithm } from '../../types.js';

/**
 * The update rules of brunet.ts and lee.ts for a batch of R restarts at once: W is R x m x k, H is
 * R x k x n, and A (m x n) is broadcast over the batch by batched matMul, so one step is the same
 * twenty-odd ops for all R restarts instead of per restart. Same formulas, same order of operations
 * (H first, then W with the new H; lee's column rescale of W with H's rows scaled by the same sums);
 * only the matMul kernels' summation order may differ from the 2-D ones. Each restart's slice is
 * computed from its own slices only. ops.ts explains why the wasm backend keeps per-restart 2-D ops.
 */
export type BatchedRule = (
  A: tf.Tensor2D,
  W: tf.Tensor3D,
  H: tf.Tensor3D,
  eps: number,
) => { W: tf.Tensor3D; H: tf.Tensor3D };

const T = [0, 2, 1];

export function brunetStepBatched(A: tf.Tensor2D, W: tf.Tensor3D, H: tf.Tensor3D, eps: number) {
  return tf.tidy(() => {
    const [R, , k] = W.shape;
    const Q = tf.div(A, tf.add(tf.matMul(W, H), eps));
    const colSumsW = tf.reshape(tf.sum(W, 1), [R, k, 1]);
    const Hn = tf.div(tf.mul(H, tf.matMul(tf.transpose(W, T), Q)), tf.add(colSumsW, eps)) as tf.Tensor3D;
    const Q2 = tf.div(A, tf.add(tf.matMul(W, Hn), eps));
    const rowSumsH = tf.reshape(tf.sum(Hn, 2), [R, 1, k]);
    const Wn = tf.div(tf.mul(W, tf.matMul(Q2, tf.transpose(Hn, T))), tf.add(rowSumsH, eps)) as tf.Tensor3D;
    return { W: Wn, H: Hn };
  });
}

export function leeStepBatched(A: tf.Tensor2D, W: tf.Tensor3D, H: tf.Tensor3D, eps: number) {
  return tf.tidy(() => {
    const [R, , k] = W.shape;
    const Wt = tf.transpose(W, T);
    const Hn = tf.div(tf.mul(H, tf.matMul(Wt, A)), tf.add(tf.matMul(tf.matMul(Wt, W), H), eps));
    const Ht = tf.transpose(Hn, T);
    const Wn = tf.div(tf.mul(W, tf.matMul(A, Ht)), tf.add(tf.matMul(W, tf.matMul(Hn, Ht)), eps));
    const colSums = tf.add(tf.sum(Wn, 1), eps);
    return {
      W: tf.div(Wn, tf.reshape(colSums, [R, 1, k])) as tf.Tensor3D,
      H: tf.mul(Hn, tf.reshape(colSums, [R, k, 1])) as tf.Tensor3D,
    };
  });
}

/** HALS has no batched form: its per-component sweeps would be k launches each; ops.ts runs it per restart. */
export const BATCHED_RULES: Partial<Record<Algorithm, BatchedRule>> = {
  brunet: brunetStepBatched,
  lee: leeStepBatched,
};
