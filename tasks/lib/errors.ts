/**
 * Exit codes and the one error type every stage throws for expected failures (docs/design.md section 7).
 * A `NmfError` carries a one-sentence, human message that names the file, the line/row/column and
 * the fix; the CLI prints only that sentence (no stack trace) and exits with `code`.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  invalidInput: 3,
  incompatibleShards: 4,
  backendUnavailable: 5,
  /** The output folder is not the tool's to write (a user's folder, a file, an input) or another run holds it. */
  outputRefused: 6,
  /** The system refused a read or write: disk full, read-only file system, permission denied. */
  io: 7,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class NmfError extends Error {
  constructor(
    message: string,
    readonly code: ExitCodeValue,
  ) {
    super(message);
    this.name = 'NmfError';
  }
}

/** Invalid input data (exit 3). `where` is e.g. "data.gct line 7, column 4". */
export function inputError(where: string, problem: string, fix: string): NmfError {
  return new NmfError(`${where}: ${problem}; ${fix}.`, ExitCode.invalidInput);
}

/** Usage or invalid parameter (exit 2). */
export function usageError(message: string): NmfError {
  return new NmfError(message, ExitCode.usage);
}

/** Incompatible or incomplete shards (exit 4). */
export function shardError(message: string): NmfError {
  return new NmfError(message, ExitCode.incompatibleShards);
}

/** An output folder the stage must not write into (exit 6). */
export function outputError(path: string, problem: string, fix: string): NmfError {
  return new NmfError(`${path}: ${problem}; ${fix}.`, ExitCode.outputRefused);
}

const SYSTEM_PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'an input/output error of the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the path is too long',
  EFBIG: 'the file is too large for this file system',
};

/**
 * A file-system failure any user can cause (full disk, read-only folder, no permission) as a
 * one-line exit-7 error naming the path; anything else is returned as is (a bug, exit 1).
 */
export function systemError(err: unknown): NmfError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const problem = e && typeof e.code === 'string' ? SYSTEM_PROBLEMS[e.code] : undefined;
  if (!problem) return undefined;
  const path = e!.path ?? (e as { dest?: string }).dest ?? 'a file';
  return new NmfError(`${path}: ${problem} (${e!.code} in ${e!.syscall ?? 'a file operation'}); free space, or choose a folder you can write to, then rerun.`, ExitCode.io);
}
