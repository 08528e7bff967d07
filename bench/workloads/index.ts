/** The workload registry: `--only` names refer to these, in this order. */
import type { Workload } from '../types.js';
import { linkage } from './linkage.js';
import { w1Ours, w1OursR5 } from './w1.js';
import { w2Ours, w2OursR5 } from './w2.js';
import { w2tHals, w2tHalsR20, w2tLee, w2tLeeConnectivity } from './w2t.js';
import { w3 } from './w3.js';
import { kernels } from './kernels.js';
import { preprocessH5ad } from './preprocess-h5ad.js';

export const WORKLOADS: readonly Workload[] = [linkage, w1Ours, w1OursR5, w2Ours, w2OursR5, w2tHals, w2tHalsR20, w2tLee, w2tLeeConnectivity, w3, preprocessH5ad, kernels];

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
