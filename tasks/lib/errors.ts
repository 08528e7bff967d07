/**
 * Exit codes and the one error type every stage throws for expected failures (DESIGN section 5).
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
