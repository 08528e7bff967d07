/**
 * Peer implementations per workload, for `--with-peers`: the tools our users run today, on the same
 * data in the same bench run. Each peer runs in its own harness child, under GNU time for the peak RSS
 * of its process, and wall_s is that whole process (start-up, reading the data, all fits), as ours is
 * the whole CLI process.
 *
 * - `r-nmf` (W1): R NMF 0.25 `nmf(x, 2:5, 'brunet', nrun = 20, seed = 123456)` with the package's
 *   default parallel backend (doParallel over all cores), Debian r-cran-nmf, /usr/bin/Rscript.
 * - `sklearn-mu` (W2): scikit-learn `NMF(solver='mu', beta_loss='frobenius', init='random', tol=0,
 *   max_iter=500)` looped over k = 2..5 x the workload's restarts (random_state = restart), Debian
 *   python3-sklearn, /usr/bin/python3 (not a pyenv python on PATH), on the float32 .npy of the exact
 *   matrix w2-ours reads. OpenBLAS uses all cores; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed
 *   from this command's environment alone so a current OpenBLAS picks its native kernel.
 * - `numpy-floor` (W2): the same fits as one batched float32 GEMM per step in numpy on the same .npy
 *   and OpenBLAS (bench/peers/numpy_floor.py): what the machine's BLAS does with the arithmetic, the
 *   floor our per restart-iteration cost is compared with.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_TIME, GNU_TIME_MISSING, gnuTimeAvailable, kibToMb, readGnuTimeKib, round, timeIt } from './measure.js';
import { num, str } from './params.js';
import { ROOT } from './paths.js';
import { writeSyntheticGct } from './synthetic.js';
import type { Outcome, Params, Peer } from './types.js';
import { peerQuality, type Fit } from './fit-quality.js';

export const RSCRIPT = '/usr/bin/Rscript';
export const PYTHON3 = '/usr/bin/python3';

// numpy on Debian links the reference BLAS (libblas3) unless OpenBLAS is installed, and the reference
// BLAS made the floor 30 times slower (15 ms against 0.5 ms per restart-iteration): the python peers
// need OpenBLAS, as their users have it.
const OPENBLAS_CHECK = "import numpy, threadpoolctl; assert any(i.get('internal_api') == 'openblas' for i in threadpoolctl.threadpool_info())";

const SKLEARN = { debian: ['python3-sklearn', 'libopenblas0-pthread'], check: [PYTHON3, ['-c', `import sklearn.decomposition; ${OPENBLAS_CHECK}`]] as [string, string[]] };

/** Debian packages that provide each peer, and how to check that it is usable. */
export const PEER_PACKAGES: { peer: string; debian: string[]; check: [string, string[]] }[] = [
  { peer: 'r-nmf', debian: ['r-cran-nmf'], check: [RSCRIPT, ['-e', 'suppressPackageStartupMessages(library(NMF))']] },
  { ...SKLEARN, peer: 'sklearn-mu' },
  { peer: 'rcppml', debian: ['r-cran-rcppml'], check: [RSCRIPT, ['-e', 'suppressPackageStartupMessages(library(RcppML))']] },
  ...['sklearn-cd-tol', 'sklearn-mu-tol'].map((peer) => ({ ...SKLEARN, peer })),
  { peer: 'numpy-floor', debian: ['python3-numpy', 'python3-threadpoolctl', 'libopenblas0-pthread'], check: [PYTHON3, ['-c', OPENBLAS_CHECK]] },
];

interface Timed {
  seconds: number;
  peakMb: number | null;
  notes: string[];
}

/** Run a command under GNU time (peak RSS), failing with its last lines when it exits non-zero. */
async function runTimed(label: string, file: string, args: string[], tmp: string, env?: NodeJS.ProcessEnv): Promise<Timed> {
  const notes: string[] = [];
  const timed = gnuTimeAvailable();
  if (!timed) notes.push(GNU_TIME_MISSING);
  const timeFile = join(tmp, 'time.txt');
  const [f, a] = timed ? [GNU_TIME, ['-f', '%M', '-o', timeFile, file, ...args]] : [file, args];
  process.stderr.write(`  ${label}: ${file} ${args.join(' ')}\n`);
  // cwd = the temp folder: R NMF's parallel backend leaves NMF_* folders in its working directory.
  const { seconds, value: r } = await timeIt(() => execa(f, a, { reject: false, all: true, cwd: tmp, ...(env ? { env, extendEnv: false } : {}) }));
  if (r.exitCode !== 0) {
    const tail = String(r.all ?? '').split('\n').slice(-20).join('\n');
    throw new Error(`${label}: ${file} exited ${r.exitCode ?? r.signal}; last lines:\n${tail}`);
  }
  const kib = timed ? readGnuTimeKib(timeFile) : null;
  return { seconds, peakMb: kib === null ? null : kibToMb(kib), notes };
}

function withTmp<T>(fn: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(tmpdir(), 'nmfc-peer-'));
  return fn(tmp).finally(() => rmSync(tmp, { recursive: true, force: true }));
}

const rNmf: Peer = {
  name: 'r-nmf',
  workloads: ['w1-ours', 'w1-ours-r5'],
  description: "R NMF nmf(x, ks, 'brunet', nrun, seed) with its default parallel backend; wall_s = the Rscript process (library load, GCT read, nmf); iterations not reported by R NMF for nrun > 1",
  run: (p: Params) =>
    withTmp(async (tmp) => {
      if (!existsSync(RSCRIPT)) throw new Error(`${RSCRIPT} not found: apt-get install r-cran-nmf (or run the bench with --with-peers as root, which installs it)`);
      const [a, b] = str(p, 'ks').split('-');
      const out = join(tmp, 'r.json');
      const script = join(ROOT, 'bench', 'peers', 'rnmf.R');
      const t = await runTimed('r-nmf', RSCRIPT, [script, join(ROOT, str(p, 'input')), `${a}:${b ?? a}`, String(num(p, 'restarts')), String(num(p, 'seed')), out], tmp);
      const r = JSON.parse(readFileSync(out, 'utf8')) as { read_s: number; nmf_s: number; cophenetic: number[]; cores: number | null; nmf_version: string };
      return {
        wall_s: t.seconds,
        iterations: null,
        per_iteration_ms: null,
        backend: `R NMF ${r.nmf_version} (doParallel, ${r.cores ?? '?'} cores)`,
        peak_rss_mb: t.peakMb,
        rss_source: 'GNU time %M of Rscript: largest single process of its tree (R or one doParallel worker)',
        cases: [{ nmf_call_s: round(r.nmf_s, 2), read_s: round(r.read_s, 2), cophenetic: r.cophenetic.map((c) => c.toFixed(3)).join(' ') }],
        notes: t.notes,
      } satisfies Outcome;
    }),
};

/** This environment without the OpenBLAS overrides, so a current OpenBLAS picks its native kernel. */
function nativeBlasEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['OPENBLAS_CORETYPE'];
  delete env['OPENBLAS_L2_SIZE'];
  return env;
}

/** The W2 matrix as the float32 .npy w2-ours reads (the GCT text parsed and rounded as preprocess does). */
async function w2Npy(tmp: string, p: Params): Promise<string> {
  const npy = join(tmp, 'synthetic.npy');
  await writeSyntheticGct(join(tmp, 'synthetic.gct'), { m: num(p, 'm'), n: num(p, 'n'), k: num(p, 'planted_k'), seed: num(p, 'data_seed'), noise: num(p, 'noise') }, npy);
  return npy;
}

/**
 * A W2 python peer: runs its script (same arguments for both) with OpenBLAS free to pick its native
 * kernel, on the W2 matrix. `fitOnly`: ms per restart-iteration from the fit time alone (the floor:
 * the arithmetic, without python start-up and np.load) instead of the whole process.
 */
function w2PythonPeer(name: string, script: string, description: string, library: 'sklearn' | 'numpy', fitOnly: boolean): Peer {
  return {
    name,
    workloads: ['w2-ours', 'w2-ours-r5'],
    description,
    run: (p: Params) =>
      withTmp(async (tmp) => {
        if (!existsSync(PYTHON3)) throw new Error(`${PYTHON3} not found: apt-get install python3-sklearn`);
        const npy = await w2Npy(tmp, p);
        const out = join(tmp, 'peer.json');
        const env = nativeBlasEnv();
        const t = await runTimed(name, PYTHON3, [join(ROOT, 'bench', 'peers', script), npy, str(p, 'ks'), String(num(p, 'restarts')), String(num(p, 'max_iter')), out], tmp, env);
        const r = JSON.parse(readFileSync(out, 'utf8')) as { fit_s: number; iterations: number; dtype: string; blas: { internal_api?: string; num_threads?: number; architecture?: string }[]; sklearn?: string; numpy?: string };
        const blas = r.blas.map((b) => `${b.internal_api ?? '?'} ${b.num_threads ?? '?'} threads ${b.architecture ?? ''}`.trim()).join('; ') || 'BLAS unknown';
        return {
          wall_s: t.seconds,
          iterations: r.iterations,
          per_iteration_ms: round(((fitOnly ? r.fit_s : t.seconds) * 1000) / r.iterations, 4),
          backend: `${library === 'sklearn' ? 'scikit-learn' : 'numpy'} ${r[library] ?? '?'} (${blas})`,
          peak_rss_mb: t.peakMb,
          rss_source: 'GNU time %M of python3',
          cases: [{ fit_s: round(r.fit_s, 2), dtype: r.dtype, restart_iterations: r.iterations }],
          notes: t.notes,
        } satisfies Outcome;
      }),
  };
}

const sklearnMu = w2PythonPeer('sklearn-mu', 'sklearn_nmf.py',
  "scikit-learn NMF(solver='mu', beta_loss='frobenius', init='random', tol=0, max_iter) per k and restart on the same float32 matrix; wall_s = the python3 process (imports, np.load, all fits)",
  'sklearn', false);

const numpyFloor = w2PythonPeer('numpy-floor', 'numpy_floor.py',
  'the same Lee fits as one batched float32 GEMM per step in numpy/OpenBLAS (restarts of a k stacked: W^T A and A H^T one sgemm each); per_iteration_ms = fit time (not the process) / restart-iterations',
  'numpy', true);

/** W2-time (issue 16) workloads: a peer that reports per-fit labels and errors runs on each. */
const W2T_HALS = ['w2t-hals', 'w2t-hals-r20'];
const W2T_LEE = ['w2t-lee', 'w2t-lee-connectivity'];
/** scikit-learn's stop is capped at this many iterations (its default 200 would cut fits short). */
const SKLEARN_MAX_ITER = 2000;

/**
 * A W2-time peer: its script fits k = ks x restarts on the W2 matrix with its own default stop rule and
 * writes every fit's iterations, relative error and labels; the harness scores them (fit-quality.ts).
 */
function w2tPeer(name: string, workloads: string[], description: string, command: (npy: string, p: Params, out: string) => [string, string[]], maxIter: number | null): Peer {
  return {
    name,
    workloads,
    description,
    run: (p: Params) =>
      withTmp(async (tmp) => {
        const npy = await w2Npy(tmp, p);
        const out = join(tmp, 'peer.json');
        const [file, args] = command(npy, p, out);
        if (!existsSync(file)) throw new Error(`${file} not found: run the bench with --with-peers as root, which installs the peers`);
        const env = nativeBlasEnv();
        const t = await runTimed(name, file, args, tmp, env);
        const r = JSON.parse(readFileSync(out, 'utf8')) as { fit_s: number; fits: Fit[]; sklearn?: string; rcppml?: string };
        const iterations = r.fits.reduce((a, f) => a + f.iterations, 0);
        return {
          wall_s: t.seconds,
          iterations,
          per_iteration_ms: round((t.seconds * 1000) / iterations, 4),
          backend: r.rcppml ? `RcppML ${r.rcppml} (OpenMP, all threads)` : `scikit-learn ${r.sklearn ?? '?'}`,
          peak_rss_mb: t.peakMb,
          rss_source: `GNU time %M of ${file}`,
          cases: [{ fit_s: round(r.fit_s, 2), restart_iterations: iterations, ...peerQuality(r.fits, num(p, 'n'), num(p, 'planted_k'), maxIter) }],
          notes: t.notes,
        } satisfies Outcome;
      }),
  };
}

const rcppml = w2tPeer('rcppml', W2T_HALS,
  'RcppML::nmf(A, k, seed = r) at its defaults (tol 1e-4, maxit 100, diag = TRUE; alternating NNLS, OpenMP) per k and restart on the same float32 matrix; wall_s = the Rscript process (library load, .npy read, all fits)',
  (npy, p, out) => [RSCRIPT, [join(ROOT, 'bench', 'peers', 'rcppml.R'), npy, str(p, 'ks'), String(num(p, 'restarts')), out]], 100);

function sklearnTimed(solver: 'cd' | 'mu', workloads: string[]): Peer {
  return w2tPeer(`sklearn-${solver}-tol`, workloads,
    `scikit-learn NMF(solver='${solver}', beta_loss='frobenius', init='random', tol=1e-4 (its default), max_iter=${SKLEARN_MAX_ITER}) per k and restart on the same float32 matrix; wall_s = the python3 process`,
    (npy, p, out) => [PYTHON3, [join(ROOT, 'bench', 'peers', 'sklearn_time.py'), solver, npy, str(p, 'ks'), String(num(p, 'restarts')), String(SKLEARN_MAX_ITER), out]], SKLEARN_MAX_ITER);
}

export const PEERS: readonly Peer[] = [rNmf, sklearnMu, numpyFloor, rcppml, sklearnTimed('cd', W2T_HALS), sklearnTimed('mu', [...W2T_HALS, ...W2T_LEE])];

export function peersFor(workload: string): Peer[] {
  return PEERS.filter((p) => p.workloads.includes(workload));
}

export function findPeer(workload: string, name: string): Peer | undefined {
  return PEERS.find((p) => p.workloads.includes(workload) && p.name === name);
}

/** Peers whose check command fails (not installed). */
export async function missingPeers(names: string[]): Promise<typeof PEER_PACKAGES> {
  const out: typeof PEER_PACKAGES = [];
  for (const pk of PEER_PACKAGES.filter((x) => names.includes(x.peer))) {
    const r = existsSync(pk.check[0]) ? await execa(pk.check[0], pk.check[1], { reject: false }) : null;
    if (!r || r.exitCode !== 0) out.push(pk);
  }
  return out;
}

/**
 * `--with-peers`: install missing peers from Debian with apt-get when running as root; otherwise say
 * exactly what to install. Returns the peers still missing afterwards.
 */
export async function ensurePeers(names: string[]): Promise<string[]> {
  let missing = await missingPeers(names);
  if (missing.length === 0) return [];
  const pkgs = [...new Set(missing.flatMap((m) => m.debian)), ...(gnuTimeAvailable() ? [] : ['time'])];
  const cmd = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`--with-peers: ${missing.map((m) => m.peer).join(', ')} not installed; install them with: sudo sh -c '${cmd}'`);
    return missing.map((m) => m.peer);
  }
  console.error(`--with-peers: installing ${pkgs.join(' ')} from Debian (${cmd}) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const up = await execa('apt-get', ['update', '-qq'], { reject: false, all: true, env });
  const inst = up.exitCode === 0 ? await execa('apt-get', ['install', '-y', '-qq', ...pkgs], { reject: false, all: true, env }) : up;
  if (inst.exitCode !== 0) console.error(`--with-peers: apt-get failed:\n${String(inst.all ?? '').split('\n').slice(-10).join('\n')}`);
  missing = await missingPeers(names);
  if (missing.length > 0) console.error(`--with-peers: still missing ${missing.map((m) => m.peer).join(', ')}; those peers are skipped`);
  return missing.map((m) => m.peer);
}
