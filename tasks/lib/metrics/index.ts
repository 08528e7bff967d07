/**
 * Consensus and k-selection metrics (docs/design.md section 5), pure functions on host float64 data.
 * Exact against R NMF 0.25 / stats::hclust / cluster::silhouette where R defines the metric.
 */
export { averageLinkage, averageLinkageCondensed, condensedFromLower, condensedIndex, consensusTree, type Tree } from './hclust.js';
export { cophenetic, copheneticCondensed, copheneticCorrelation, forEachCrossPair, pearson } from './cophenetic.js';
export { cutree } from './cutree.js';
export { dispersion } from './dispersion.js';
export { pac } from './pac.js';
export { silhouetteWidths, silhouetteWidthsBy, consensusSilhouette } from './silhouette.js';
export { adjustedRandIndex } from './ari.js';
export { consensusFromLabels, dispersionFromLabels } from './consensus.js';
export {
  factorStability,
  clusterFactors,
  type Stability,
  type FactorClusters,
  type StabilityOptions,
} from './stability.js';
