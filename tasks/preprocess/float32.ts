/**
 * matrix.npy stores float32. A value beyond its range (|x| > 3.4e38, e.g. 1e39 in a text file)
 * would be stored as infinity and break every later stage, so it is refused here with the cell's
 * file location (exit 3).
 */
import { inputError } from '../lib/errors.js';
import { cellLocation, quoteText } from '../lib/io/text.js';
import type { TransformedMatrix } from './transform.js';

export function checkFloat32Range(m: TransformedMatrix, f32: Float32Array): void {
  for (let i = 0; i < f32.length; i++) {
    if (Number.isFinite(f32[i]!)) continue;
    const row = Math.floor(i / m.cols);
    const col = i % m.cols;
    throw inputError(
      cellLocation(m, row, col),
      `the value ${m.data[i]} (sample ${quoteText(m.colIds[col] ?? '')}, feature ${quoteText(m.rowIds[row] ?? '')}) is beyond the float32 range (about ±3.4e38) in which the matrix is stored`,
      'fix that value, or rescale the data (e.g. divide every value by a constant) before preprocess',
    );
  }
}
