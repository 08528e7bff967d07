/**
 * Shapes shared by the harness (run.ts), the per-workload child (child.ts) and the JSON report.
 * The JSON is for people and later tooling (peer comparisons), so every field is a plain number or
 * string and units are in the names (_s, _ms, _mb).
 */

export type ParamValue = number | string | boolean | number[];
export type Params = Record<string, ParamValue>;

/** One row of a workload's own breakdown (e.g. linkage: one row per n). */
export type CaseRow = Record<string, number | string | null>;

/** What a workload (or a peer) measures, returned from inside its child process. */
export interface Outcome {
  /** Wall time of the measured work in seconds (what it covers is said in the workload's description). */
  wall_s: number;
  /** Iterations behind wall_s, where that is meaningful (restart-iterations of NMF); else null. */
  iterations: number | null;
  per_iteration_ms: number | null;
  /** Compute backend (tfjs backend name, or 'host-js' for plain TypeScript on the host). */
  backend: string;
  /**
   * Peak RSS measured outside the child (e.g. the CLI's process tree under /usr/bin/time); when
   * absent the child's own maxRSS is used. null = could not be measured (reason in notes).
   */
  peak_rss_mb?: number | null;
  rss_source?: string;
  cases?: CaseRow[];
  notes?: string[];
}

export interface Workload {
  name: string;
  description: string;
  params: Params;
  /** Parameters for `--quick` smoke runs; workloads without them are skipped by `--quick`. */
  quickParams?: Params;
  run(params: Params): Promise<Outcome>;
}

/**
 * A competing implementation measured on the same workload (R NMF, scikit-learn, ...). It runs in a
 * child of the harness exactly like our workload, so its time and RSS are comparable.
 */
export interface Peer {
  name: string;
  description: string;
  /** Names of the workloads it mirrors (e.g. W2 at 20 and at 5 restarts per k). */
  workloads: readonly string[];
  run(params: Params): Promise<Outcome>;
}

export interface Machine {
  node: string;
  cpu_model: string;
  cores: number;
  total_mem_gb: number;
  platform: string;
  arch: string;
}

export interface PeerResult {
  name: string;
  description: string;
  wall_s: number;
  iterations: number | null;
  per_iteration_ms: number | null;
  peak_rss_mb: number | null;
  backend: string;
  cases?: CaseRow[];
  notes?: string[];
  error?: string;
  load_before?: number;
  load_after?: number;
}

export interface WorkloadResult {
  name: string;
  description: string;
  params: Params;
  wall_s: number | null;
  iterations: number | null;
  per_iteration_ms: number | null;
  peak_rss_mb: number | null;
  rss_source: string;
  backend: string;
  node: string;
  cpu_model: string;
  cores: number;
  cases?: CaseRow[];
  notes?: string[];
  error?: string;
  /** os.loadavg()[0] (1-minute load average) just before and just after this workload ran: other work on a shared machine. */
  load_before?: number;
  load_after?: number;
  peers?: PeerResult[];
  /** ours / peer, per peer name: above 1 means we are slower (or use more memory). */
  ratio?: Record<string, { wall_s: number | null; per_iteration_ms: number | null; peak_rss_mb: number | null }>;
}

export interface BenchReport {
  schema: 'nmf-consensus/bench@1';
  created: string;
  argv: string[];
  quick: boolean;
  machine: Machine;
  workloads: WorkloadResult[];
}
