/**
 * Inputs NMF handles poorly, named with the fix (issue 13, part 5). Heuristics on the values as read
 * (before preprocessing) and on the features kept:
 *   - many features, no selection: more than MANY_FEATURES features kept and neither --top-features
 *     nor --features-file given; most features then carry noise and the clusters follow the data's
 *     structure less well (cNMF selects 2,000 over-dispersed genes by default).
 *   - log-transformed values: the largest value is at most LOG_MAX and most nonzero values are not
 *     integers (log2 expression lies in about 0-20); NMF models additive, unlogged data.
 *   - counts without normalization: every value is an integer, at least COUNT_ZEROS of them are zero
 *     (sparse counts, unlike microarray intensities) and --normalize is none; samples with more
 *     counts then dominate the factors.
 * The value checks read at most MAX_SAMPLED entries, evenly spaced, so they cost little at any size.
 */

export const MANY_FEATURES = 5000;
export const LOG_MAX = 30;
export const COUNT_ZEROS = 0.05;
const MAX_SAMPLED = 1_000_000;

export interface InputWarning {
  code: 'many-features-unselected' | 'log-transformed' | 'counts-unnormalized';
  message: string;
}

export interface ValueSummary {
  max: number;
  /** Fraction of the sampled nonzero values that are not integers. */
  nonInteger: number;
  /** Fraction of the sampled values that are zero. */
  zeros: number;
}

/** Largest value, and the share of non-integers and zeros, over evenly spaced entries of `data`. */
export function summarizeValues(data: ArrayLike<number>): ValueSummary {
  const step = Math.max(1, Math.floor(data.length / MAX_SAMPLED));
  let max = -Infinity;
  let seen = 0;
  let zeros = 0;
  let nonzero = 0;
  let fractional = 0;
  for (let i = 0; i < data.length; i += step) {
    const v = data[i]!;
    seen++;
    if (v > max) max = v;
    if (v === 0) zeros++;
    else {
      nonzero++;
      if (!Number.isInteger(v)) fractional++;
    }
  }
  return { max, nonInteger: nonzero > 0 ? fractional / nonzero : 0, zeros: seen > 0 ? zeros / seen : 0 };
}

export function inputWarnings(
  values: ValueSummary,
  kept: { features: number; selected: boolean; normalize: string },
): InputWarning[] {
  const out: InputWarning[] = [];
  if (kept.features > MANY_FEATURES && !kept.selected) {
    out.push({
      code: 'many-features-unselected',
      message:
        `${kept.features} features are used without selection; with many noisy features the clusters follow the samples' groups less well ` +
        `and each run takes longer. Keep the informative ones: --top-features 2000 (over-dispersed by fano, as cNMF's default) or a --features-file.`,
    });
  }
  if (values.max <= LOG_MAX && values.nonInteger > 0.5 && kept.normalize !== 'log1p') {
    out.push({
      code: 'log-transformed',
      message:
        `the values look log-transformed (largest ${values.max.toPrecision(3)}, ${Math.round(values.nonInteger * 100)}% not whole numbers); ` +
        `NMF models additive, unlogged data: give the unlogged values (e.g. 2^x for log2 data), or expect weaker clusters.`,
    });
  }
  if (values.nonInteger === 0 && values.zeros >= COUNT_ZEROS && values.max > 1 && kept.normalize === 'none') {
    out.push({
      code: 'counts-unnormalized',
      message:
        `the values look like counts (all whole numbers, ${Math.round(values.zeros * 100)}% zeros) and are not normalized, so samples with ` +
        `more counts dominate the factors: pass --normalize cp10k (or log1p for single-cell data).`,
    });
  }
  return out;
}
