import * as tf from '@tensorflow/tfjs-core';

/**
 * One Lee-Seung (Frobenius) multiplicative update, H first then W with the new H
 * (Lee & Seung 2001; R NMF 'lee'; GenePattern 'euclidean'):
 *
 *   H <- H * (W^T A) / (W^T W H + eps)
 *   W <- W * (A H^T) / (W H H^T + eps)
 *
 * followed by rescaling the columns of W to sum to 1 (R NMF `rescale = TRUE`) so that argmax over
 * the rows of H compares like with like. Unlike R we multiply the rows of H by the same sums, so WH
 * and the objective 1/2 ||A - WH||_F^2 are unchanged by the rescale and never increase.
 */
export function leeStep(A: tf.Tensor2D, W: tf.Tensor2D, H: tf.Tensor2D, eps: number) {
  return tf.tidy(() => {
    const Wt = tf.transpose(W);
    const Hn = tf.div(
      tf.mul(H, tf.matMul(Wt, A)),
      tf.add(tf.matMul(tf.matMul(Wt, W), H), eps),
    ) as tf.Tensor2D;
    const Ht = tf.transpose(Hn);
    const Wn = tf.div(
      tf.mul(W, tf.matMul(A, Ht)),
      tf.add(tf.matMul(W, tf.matMul(Hn, Ht)), eps),
    );
    const colSums = tf.add(tf.sum(Wn, 0), eps);
    return {
      W: tf.div(Wn, tf.reshape(colSums, [1, -1])) as tf.Tensor2D,
      H: tf.mul(Hn, tf.reshape(colSums, [-1, 1])) as tf.Tensor2D,
    };
  });
}
