/**
 * The command-line interface: one subcommand per stage (like cNMF), plus `run` that chains them.
 * Each handler resolves parameters (flags > --config YAML > conf/defaults.yaml), runs the stage and
 * maps failures to the exit codes of docs/design.md section 7: an expected failure prints one sentence, never a
 * stack trace (set NMF_DEBUG=1 to see one for internal errors).
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, NmfError, systemError, usageError } from './lib/errors.js';
import { configureLog, log } from './lib/log.js';
import { embeddedDefaults, MAX_RESTARTS, resolveParams, resolveStopRule, type Params } from './lib/params.js';
import { backendSelection, logBackendChoice, useBackend } from './lib/engine/backend.js';
import { preprocessOptionsFromParams, runPreprocess } from './preprocess/command.js';
import { runFactorize, parseRestartRange } from './factorize/command.js';
import { largeN, runConsensus } from './consensus/command.js';
import { runReport } from './report/command.js';
import { runPipeline } from './run.js';
import { formatPlan, parsePerShard, planShards, type PlanFormat } from './plan/command.js';
import { toolVersion } from './lib/paths.js';

const DEFAULTS = embeddedDefaults();
const dflt = (name: string) => `(default: ${JSON.stringify(DEFAULTS[name])} from conf/defaults.yaml)`;

/** Number-looking strings (12, 0.5, 1e-4) become numbers; anything else is left for the schema to reject by name. */
function coerceNumbers(argv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(argv)) out[k] = typeof v === 'string' && /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v.trim()) ? Number(v) : v;
  return out;
}

/** An optional count flag: undefined when absent, else an integer of at least `min` (or a usage error). */
function count(flag: string, value: string | undefined, min: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= MAX_RESTARTS)) throw usageError(`${flag} '${value}' must be a whole number from ${min} to ${MAX_RESTARTS}${min === 0 ? ' (0: none)' : ''}.`);
  return n;
}

function params(argv: Record<string, unknown>, omit: string[] = []): Params {
  const flags = coerceNumbers(argv);
  for (const o of omit) delete flags[o];
  const p = resolveParams(flags, argv.config as string | undefined);
  configureLog({ format: p.log_format });
  return p;
}

const opt = {
  config: { type: 'string', describe: 'YAML file of parameters (same names as the flags, e.g. max_iter: 500); flags override it, it overrides conf/defaults.yaml' },
  logFormat: { type: 'string', choices: ['text', 'json'], describe: `Log lines on stderr as plain text or one JSON object per line (for batch systems) ${dflt('log_format')}` },
  outdir: { type: 'string', demandOption: true },
  backend: { type: 'string', describe: `Compute backend: auto (tensorflow with a CUDA GPU, else webgpu on a hardware adapter whose device passed a check, else wasm; the log and shard.json say which and why), tensorflow, webgpu, wasm, cpu ${dflt('backend')}` },
  algorithm: { type: 'string', describe: `Update rule: brunet (KL divergence, R NMF/GenePattern default), lee (Frobenius, multiplicative) or hals (Frobenius, coordinate descent: fewer, costlier iterations) ${dflt('algorithm')}` },
  seed: { type: 'string', describe: `Master seed; restart (k, r) starts from a random stream keyed by (seed, k, r) ${dflt('seed')}` },
  maxIter: { type: 'string', describe: `Most iterations per restart ${dflt('max_iter')}` },
  checkEvery: { type: 'string', describe: `Iterations between connectivity checks ${dflt('check_every')}` },
  stableChecks: { type: 'string', describe: `Stop a restart once its sample labels were unchanged for more than this many checks in a row (the connectivity rule); 0 = no early stop under any --stop rule: always run max-iter ${dflt('stable_checks')}` },
  stop: { type: 'string', describe: `When a restart stops: connectivity (R NMF: labels unchanged for more than --stable-checks checks), objective (the objective's decrease between checks, relative to its start, below --tol; scikit-learn's rule), both (both hold), or auto (the algorithm's default: connectivity for brunet, objective for lee and hals) ${dflt('stop')}` },
  tol: { type: 'string', describe: `Tolerance of the objective stop rule ${dflt('tol')}` },
  negatives: { type: 'string', describe: `Negative values in the input: error, clamp (set to 0) or shift (subtract the minimum) ${dflt('negatives')}` },
  maxConsensusN: { type: 'string', describe: `Largest number of samples for which consensus matrices are built and written; above it the labels are the data: dispersion exact, PAC on 1,000,000 random pairs, tree, cophenetic and silhouette on a seeded stratified subsample ${dflt('max_consensus_n')}` },
  consensusSampleN: { type: 'string', describe: `Above --max-consensus-n: size of that subsample ${dflt('consensus_sample_n')}` },
  force: { type: 'boolean', describe: 'Recompute even when a complete result for the same input and parameters exists' },
  nullRestarts: { type: 'string', describe: `Restarts per k on a random-data baseline: the matrix with each sample's values shuffled (R NMF randomize), factorized like the data; the recommendation uses the gap between the two and says when no k differs from random data; at most --restarts; 0 = off ${dflt('null_restarts')}` },
  kernels: { type: 'string', describe: `Update kernels: auto (fused on the wasm and webgpu backends, else ops), fused (on --backend webgpu the WGSL kernels, all restarts of a k batched on the WebGPU device, shards say webgpu-fused; elsewhere the fused CPU kernels, native AVX2 where built (eight restarts per SIMD vector) or wasm SIMD (four; NMF_NATIVE=0), the same numbers either way, shards say wasm-fused) or ops (tfjs-core ops on --backend; the reference the fused kernels are tested against) ${dflt('kernels')}` },
  maxDeviceMb: { type: 'number', describe: `Memory budget for the data matrix on the compute device in MiB; a larger matrix stays on the host and is streamed in blocks of rows every iteration (fused kernels: identical numbers; ops: same labels, objectives within 1e-5); 0 = no limit ${dflt('max_device_mb')}` },
  annotations: { type: 'string', describe: 'TSV with a header: sample id, then one or more annotation columns; the first is drawn as a strip beside the heatmaps, each is compared with the clusters by adjusted Rand index' },
  pdf: { type: 'boolean', describe: 'Also write report/report.pdf: the recommendation, then one figure per page' },
} as const;

/** The preprocess flags shared by `run` and `preprocess`, in the order the steps run. */
const preprocessFlags = {
  negatives: opt.negatives,
  'min-features-per-sample': { type: 'string', alias: 'min-genes', describe: `Keep a sample only when it is nonzero in at least N features (scanpy filter_cells min_genes); 0 = off ${dflt('min_features_per_sample')}` },
  'min-samples-per-feature': { type: 'string', alias: 'min-cells', describe: `Keep a feature only when it is nonzero in at least N of the kept samples (scanpy filter_genes min_cells); 0 = off ${dflt('min_samples_per_feature')}` },
  normalize: { type: 'string', describe: `Per-sample normalization: none, cp10k (each sample scaled to sum 10,000), tpm (to sum 1,000,000, no length correction) or log1p (cp10k, then natural log(1 + x)) ${dflt('normalize')}` },
  'features-file': { type: 'string', describe: 'Keep only the features listed in this file (one id per line, or the first column of a TSV/CSV; ids or unique descriptions/gene symbols); ids not found are listed in preprocess.json' },
  'feature-names': { type: 'string', describe: '.h5ad input: the var column holding the names shown beside the feature ids in metagenes and the report, e.g. gene_symbols (other formats take them from the file: GCT description, 10x features.tsv second column)' },
  'top-features': { type: 'string', describe: `Keep the N features with the highest --top-features-by score, after normalization and --features-file; 0 = keep all ${dflt('top_features')}` },
  'top-features-by': { type: 'string', alias: 'by', describe: `Score for --top-features: variance, cv (sd / mean) or fano (variance / mean, cNMF's over-dispersion) ${dflt('top_features_by')}` },
  'scale-features': { type: 'boolean', describe: `Divide each feature by its standard deviation, without centering (cNMF) ${dflt('scale_features')}` },
  transpose: { type: 'boolean', describe: `The file holds samples x features (cells x genes) instead of features x samples: transpose it before every other step (.h5ad is always read as cells x genes without this) ${dflt('transpose')}` },
} as const;

const INPUT_DESCRIBE = 'Expression matrix, features x samples: GCT 1.2/1.3, TSV or CSV (optionally .gz), a 10x MTX folder, AnnData .h5ad (cells x genes, transposed) or 10x .h5';

/** The factorization flags shared by `run` and `factorize`. */
const engineFlags = {
  seed: opt.seed,
  algorithm: opt.algorithm,
  'max-iter': opt.maxIter,
  'check-every': opt.checkEvery,
  'stable-checks': opt.stableChecks,
  stop: opt.stop,
  tol: opt.tol,
  backend: opt.backend,
  kernels: opt.kernels,
  'max-device-mb': opt.maxDeviceMb,
} as const;

async function handle(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (caught) {
    // A full disk, a read-only folder or a missing permission is the user's to fix: exit 7, not a bug.
    const err = systemError(caught) ?? caught;
    if (err instanceof NmfError) {
      log.error(err.message);
      process.exitCode = err.code;
    } else {
      const e = err as Error;
      log.error(`internal error: ${e?.message ?? String(err)} (a bug in nmf-consensus ${toolVersion()}; rerun with NMF_DEBUG=1 and report it)`);
      if (process.env.NMF_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
      process.exitCode = ExitCode.internal;
    }
  }
}

function common(y: Argv): Argv {
  return y.option('config', opt.config).option('log-format', opt.logFormat);
}

const cli = yargs(hideBin(process.argv))
  .scriptName('nmf-consensus')
  .usage('$0 <command> [options]\n\nConsensus NMF clustering: factorize A (features x samples) many times for every rank k, merge the sample labels into consensus matrices and choose k.')
  .command(
    'run',
    'Run all four stages on one machine: preprocess -> factorize (every k) -> consensus -> report',
    (y) =>
      common(y)
        .option('input', { type: 'string', demandOption: true, describe: INPUT_DESCRIBE })
        .option('outdir', { ...opt.outdir, describe: 'Output folder; gets preprocess/, shards/, consensus/, report/' })
        .option('ks', { type: 'string', describe: `Ranks to test: a range 2-6 or a list 2,3,5 ${dflt('ks')}` })
        .option('restarts', { type: 'string', describe: `Restarts per k (50 recommended for publication) ${dflt('restarts')}` })
        .option('null-restarts', opt.nullRestarts)
        .options(engineFlags)
        .option('workers', { type: 'string', describe: `Threads for the fused kernels; 0 = the cores available to the process (affinity and cgroup CPU quota). All restarts of all k run on one pool of threads, largest k first (results do not depend on it) ${dflt('workers')}` })
        .options(preprocessFlags)
        .option('max-consensus-n', opt.maxConsensusN)
        .option('consensus-sample-n', opt.consensusSampleN)
        .option('annotations', opt.annotations)
        .option('pdf', opt.pdf)
        .option('force', opt.force),
    (argv) =>
      handle(async () => {
        const p = params(argv);
        await runPipeline({ input: argv.input, outdir: argv.outdir, params: p, force: argv.force === true, pdf: argv.pdf === true, ...(argv.annotations ? { annotations: argv.annotations } : {}), ...(argv.featuresFile !== undefined ? { featuresFile: argv.featuresFile } : {}), ...(argv.featureNames !== undefined ? { featureNames: argv.featureNames } : {}) });
      }),
  )
  .command(
    'preprocess',
    'Read the input matrix, check it, handle negatives, drop all-zero rows/columns, then the optional filters, normalization, feature selection and scaling (in the order of the flags below); write matrix.npy, features.tsv, samples.tsv, preprocess.json',
    (y) =>
      common(y)
        .option('input', { type: 'string', demandOption: true, describe: INPUT_DESCRIBE })
        .option('outdir', { ...opt.outdir, describe: 'This stage\'s folder, e.g. DIR/preprocess' })
        .options(preprocessFlags)
        .option('force', opt.force),
    (argv) =>
      handle(async () => {
        const p = params(argv);
        await runPreprocess({
          input: argv.input,
          outdir: argv.outdir,
          ...preprocessOptionsFromParams(p),
          ...(argv.featuresFile !== undefined ? { featuresFile: argv.featuresFile } : {}),
          ...(argv.featureNames !== undefined ? { featureNames: argv.featureNames } : {}),
          force: argv.force === true,
        });
      }),
  )
  .command(
    'factorize',
    'Factorize one k for a range of restarts; writes one shard folder k<k>.r<a>-<b>/ under --outdir',
    (y) =>
      common(y)
        .option('prep', { type: 'string', demandOption: true, describe: 'The preprocess folder (holds matrix.npy and preprocess.json)' })
        .option('k', { type: 'string', demandOption: true, describe: 'The rank (number of factors), at least 2 and below min(features, samples)' })
        .option('restarts', { type: 'string', demandOption: true, describe: 'Inclusive restart range, e.g. 0-19; restart r of rank k always starts from the same random stream' })
        .option('outdir', { ...opt.outdir, describe: 'Folder of shards, e.g. DIR/shards' })
        .option('null', { type: 'boolean', describe: 'Factorize the random-data baseline instead: the matrix with each sample\'s values permuted by --seed (R NMF randomize), the same copy in every shard; writes null.k<k>.r<a>-<b>/. Consensus uses it to tell structure from noise' })
        .options(engineFlags)
        .option('workers', { type: 'string', describe: `Threads for the fused kernels, each with its own kernel instance; 0 = the cores available to the process (affinity and cgroup CPU quota). With too few restarts to give every thread a SIMD group (8 restarts native, 4 wasm), the threads split the rows of the matrix instead; the ops kernels run in one thread (results do not depend on it) ${dflt('workers')}` })
        .option('force', opt.force),
    (argv) =>
      handle(async () => {
        const p = params(argv, ['restarts', 'k']);
        const k = Number(argv.k);
        if (!Number.isInteger(k) || k < 2) throw usageError(`--k '${argv.k}' must be an integer of at least 2.`);
        const [first, last] = parseRestartRange(argv.restarts);
        const backend = await useBackend(p.backend);
        logBackendChoice(backend);
        await runFactorize({ prep: argv.prep, outdir: argv.outdir, k, first, last, algorithm: p.algorithm, seed: p.seed, max_iter: p.max_iter, check_every: p.check_every, stable_checks: p.stable_checks, stop: resolveStopRule(p.algorithm, p.stop), tol: p.tol, backend: backend.name, backend_selection: backendSelection(p.backend, backend), kernels: p.kernels, workers: p.workers, max_device_mb: p.max_device_mb, force: argv.force === true, ...(argv.null ? { randomized: true } : {}) });
      }),
  )
  .command(
    'consensus',
    'Merge all shards of all k: consensus.k.<k>.gct, membership.gct, metrics.tsv, consensus.json',
    (y) =>
      common(y)
        .option('shards', { type: 'string', array: true, demandOption: true, describe: 'Folder(s) of shards (repeatable); each holds k<k>.r<a>-<b>/ folders' })
        .option('outdir', { ...opt.outdir, describe: 'This stage\'s folder, e.g. DIR/consensus' })
        .option('prep', { type: 'string', describe: 'The preprocess folder the shards came from (default: preprocess/ beside the first --shards folder)' })
        .option('restarts', { type: 'string', describe: 'Expected restarts per k, to detect missing shards (default: the largest restart found + 1)' })
        .option('null-restarts', { type: 'string', describe: 'The null_restarts given to run or plan: every k must then have random-data baseline shards (null.k<k>.*) for restarts 0..min(N, --restarts)-1, so a missing one is an error; 0 = no baseline (default: if any baseline shard is found, every k must have one, up to the largest restart found)' })
        .option('allow-partial', { type: 'boolean', describe: 'Merge even when restarts are missing; the gap is recorded in consensus.json and the report' })
        .option('max-consensus-n', opt.maxConsensusN)
        .option('consensus-sample-n', opt.consensusSampleN),
    (argv) =>
      handle(async () => {
        const p = params(argv, ['restarts', 'null-restarts', 'nullRestarts']);
        const restarts = count('--restarts', argv.restarts, 1);
        const nullRestarts = count('--null-restarts', argv.nullRestarts, 0);
        await runConsensus({ shards: argv.shards, outdir: argv.outdir, ...(argv.prep ? { prep: argv.prep } : {}), ...(restarts ? { restarts } : {}), ...(nullRestarts !== undefined ? { nullRestarts } : {}), allowPartial: argv.allowPartial === true, large: largeN(p) });
      }),
  )
  .command(
    'report',
    'Render report.html (self-contained), figures/ and summary.json (recommended k and why)',
    (y) =>
      common(y)
        .option('consensus', { type: 'string', demandOption: true, describe: 'The consensus folder (holds consensus.json)' })
        .option('outdir', { ...opt.outdir, describe: 'This stage\'s folder, e.g. DIR/report' })
        .option('annotations', opt.annotations)
        .option('pdf', opt.pdf),
    (argv) =>
      handle(async () => {
        params(argv);
        await runReport({ consensus: argv.consensus, outdir: argv.outdir, pdf: argv.pdf === true, ...(argv.annotations ? { annotations: argv.annotations } : {}) });
      }),
  )
  .command(
    'plan',
    'Print the scatter plan: one line "k first last baseline" (TSV, or JSON [[k, first, last, baseline], ...]) per factorize shard, baseline 1 for the random-data shards (factorize --null); the workflows run one task per line',
    (y) =>
      common(y)
        .option('ks', { type: 'string', describe: `Ranks: a range 2-6 or a list 2,3,5 ${dflt('ks')}` })
        .option('restarts', { type: 'string', describe: `Restarts per k ${dflt('restarts')}` })
        .option('null-restarts', { type: 'string', describe: `Restarts per k of the random-data baseline, at most --restarts; 0 = none ${dflt('null_restarts')}` })
        .option('restarts-per-shard', { type: 'string', default: '10', describe: 'Most restarts per shard (one factorize task each)' })
        .option('format', { type: 'string', choices: ['tsv', 'json'], default: 'tsv', describe: 'tsv: k, first, last, baseline per line, no header; json: [[k, first, last, baseline], ...]' }),
    (argv) =>
      handle(async () => {
        const p = params(argv, ['restarts-per-shard', 'restartsPerShard', 'format']);
        process.stdout.write(formatPlan(planShards(p.ks, p.restarts, parsePerShard(String(argv.restartsPerShard)), p.null_restarts), argv.format as PlanFormat));
      }),
  )
  .demandCommand(1, 'Give a command: run, preprocess, factorize, consensus, report or plan (see --help).')
  .strict()
  .version(toolVersion())
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .fail((msg, err) => {
    if (err) throw err;
    log.error(/--help/.test(msg) ? msg : `${msg} (see --help)`);
    process.exit(ExitCode.usage);
  });

await cli.parseAsync();
