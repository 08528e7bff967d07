import * as tf from '@tensorflow/tfjs-core';

/**
 * One HALS sweep (hierarchical alternating least squares, i.e. coordinate descent on the Frobenius
 * objective 1/2 ||A - WH||_F^2; Cichocki & Phan 2009, scikit-learn's 'cd' solver), H first then W
 * with the new H, each one component at a time in order, each using the components already updated:
 *
 *   H[c, :] <- max(0, H[c, :] + ((W^T A)[c, :] - (W^T W)[c, :] H) / (W^T W)[c, c])
 *   W[:, c] <- max(0, W[:, c] + ((A H^T)[:, c] - W (H H^T)[:, c]) / (H H^T)[c, c])
 *
 * clamped at 0 as scikit-learn (not at tiny: see halsRows in assembly/kernels.ts; ops.ts skips the
 * clamp at checks for hals), a component whose Hessian (W^T W)[c, c] or (H H^T)[c, c] is 0 is left as it is,
 * then W's columns are rescaled to sum 1 with H's rows multiplied by the same sums (as leeStep), so
 * WH and the objective are unchanged by the rescale. The reference for the fused kernels' halsH and
 * halsRows (assembly/kernels.ts).
 */
export function halsStep(A: tf.Tensor2D, W: tf.Tensor2D, H: tf.Tensor2D, eps: number) {
  return tf.tidy(() => {
    const k = W.shape[1];
    const Wt = tf.transpose(W);
    const Hn = sweep(tf.matMul(Wt, A), tf.matMul(Wt, W), tf.split(H, k, 0));
    const Ht = tf.transpose(Hn);
    // W's columns are the rows of W^T: the same sweep with (A H^T)^T and H H^T.
    const Wn = tf.transpose(sweep(tf.transpose(tf.matMul(A, Ht)) as tf.Tensor2D, tf.matMul(Hn, Ht), tf.split(Wt, k, 0))) as tf.Tensor2D;
    const colSums = tf.add(tf.sum(Wn, 0), eps);
    return {
      W: tf.div(Wn, tf.reshape(colSums, [1, -1])) as tf.Tensor2D,
      H: tf.mul(Hn, tf.reshape(colSums, [-1, 1])) as tf.Tensor2D,
    };
  });
}

/**
 * One coordinate-descent sweep over the k rows of X (k x p) for min 1/2 ||B - M X||^2, given
 * num = M^T B (k x p) and G = M^T M (k x k): row c += (num[c] - G[c] X) / G[c, c], clamped at 0.
 */
function sweep(num: tf.Tensor2D, G: tf.Tensor2D, rows: tf.Tensor[]): tf.Tensor2D {
  const k = rows.length;
  const numRows = tf.split(num, k, 0);
  const gRows = tf.split(G, k, 0);
  for (let c = 0; c < k; c++) {
    const X = tf.concat(rows, 0);
    const hess = tf.slice(G, [c, c], [1, 1]);
    const step = tf.div(tf.sub(numRows[c]!, tf.matMul(gRows[c]!, X)), hess);
    const next = tf.maximum(tf.add(rows[c]!, step), 0);
    rows[c] = tf.where(tf.broadcastTo(tf.notEqual(hess, 0), next.shape), next, rows[c]!);
  }
  return tf.concat(rows, 0) as tf.Tensor2D;
}
