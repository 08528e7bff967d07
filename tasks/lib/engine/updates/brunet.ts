import * as tf from '@tensorflow/tfjs-core';

/**
 * One Brunet (Kullback-Leibler) multiplicative update, H first then W with the new H
 * (Brunet et al. 2004; R NMF 'brunet'; Lee & Seung 2001 divergence updates):
 *
 *   H <- H * (W^T (A / WH)) / colSums(W)
 *   W <- W * ((A / WH) H^T) / rowSums(H)
 *
 * eps keeps the denominators positive. The small factors are transposed explicitly because
 * tfjs-wasm's transposed matMul is much slower than transpose + plain matMul.
 * Objective it does not increase: D(A || WH) = sum A log(A / WH) - A + WH.
 */
export function brunetStep(A: tf.Tensor2D, W: tf.Tensor2D, H: tf.Tensor2D, eps: number) {
  return tf.tidy(() => {
    const Q = tf.div(A, tf.add(tf.matMul(W, H), eps));
    const colSumsW = tf.reshape(tf.sum(W, 0), [-1, 1]);
    const Hn = tf.div(tf.mul(H, tf.matMul(tf.transpose(W), Q)), tf.add(colSumsW, eps)) as tf.Tensor2D;
    const Q2 = tf.div(A, tf.add(tf.matMul(W, Hn), eps));
    const rowSumsH = tf.reshape(tf.sum(Hn, 1), [1, -1]);
    const Wn = tf.div(tf.mul(W, tf.matMul(Q2, tf.transpose(Hn))), tf.add(rowSumsH, eps)) as tf.Tensor2D;
    return { W: Wn, H: Hn };
  });
}
