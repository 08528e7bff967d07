/** The convergence figure: iterations of every restart by k, converged or stopped at the cap. */
import type { TopLevelSpec } from 'vega-lite';
import type { ConsensusPerK } from '../lib/manifest/consensus.js';
import { X_TITLE } from './charts.js';

const FONT = 'Helvetica, Arial, sans-serif';

export function convergenceSpec(perK: readonly ConsensusPerK[]): TopLevelSpec {
  const values = perK.flatMap((p) =>
    p.runs.map((r) => ({ k: p.k, iterations: r.iterations, status: r.converged ? 'converged' : 'stopped at max-iter' })),
  );
  const fractions = perK.map((p) => `k=${p.k}: ${Math.round((100 * p.runs.filter((r) => r.converged).length) / Math.max(1, p.runs.length))}%`);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Iterations per restart', subtitle: `converged: ${fractions.join(', ')}`, font: FONT, subtitleFont: FONT, anchor: 'start' },
    background: 'white',
    padding: 10,
    width: Math.max(200, 70 * perK.length),
    height: 180,
    data: { values },
    mark: { type: 'tick', thickness: 2, size: 30, opacity: 0.7 },
    encoding: {
      x: { field: 'k', type: 'ordinal', title: X_TITLE, axis: { labelAngle: 0 } },
      y: { field: 'iterations', type: 'quantitative', title: 'iterations', scale: { zero: true } },
      color: {
        field: 'status',
        type: 'nominal',
        scale: { domain: ['converged', 'stopped at max-iter'], range: ['#1f4e79', '#d62728'] },
        legend: { title: null, orient: 'bottom' },
      },
    },
    config: { font: FONT, axis: { labelFont: FONT, titleFont: FONT }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}
