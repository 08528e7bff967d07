/**
 * Logging to stderr (stdout stays free for data): plain lines, or one JSON object per line with
 * `--log-format json` for batch systems. Progress is a redrawn bar on a TTY and a plain line at most
 * every `NMF_PROGRESS_SECONDS` (default 10) seconds otherwise, so batch logs show that work goes on.
 */
export type LogFormat = 'text' | 'json';

let format: LogFormat = 'text';
let quiet = false;

export function configureLog(opts: { format?: LogFormat; quiet?: boolean }): void {
  if (opts.format) format = opts.format;
  if (opts.quiet !== undefined) quiet = opts.quiet;
}

function emit(level: 'info' | 'warn' | 'error' | 'progress', msg: string, fields?: Record<string, unknown>): void {
  if (format === 'json') {
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
  } else {
    process.stderr.write(`${level === 'info' || level === 'progress' ? '' : `${level}: `}${msg}\n`);
  }
}

export const log = {
  info(msg: string, fields?: Record<string, unknown>): void {
    if (!quiet) emit('info', msg, fields);
  },
  warn(msg: string, fields?: Record<string, unknown>): void {
    emit('warn', msg, fields);
  },
  error(msg: string, fields?: Record<string, unknown>): void {
    emit('error', msg, fields);
  },
};

export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function progress(label: string, total: number): Progress {
  const tty = format === 'text' && process.stderr.isTTY === true && !quiet;
  const every = Number(process.env.NMF_PROGRESS_SECONDS ?? 10) * 1000;
  const start = Date.now();
  let last = start;
  let lastDone = -1;
  const line = (done: number, detail?: string) => {
    const secs = ((Date.now() - start) / 1000).toFixed(0);
    return `${label}: ${done}/${total}${detail ? ` (${detail})` : ''}, ${secs}s`;
  };
  const bar = (done: number, detail?: string) => {
    const width = 24;
    const fill = total > 0 ? Math.round((done / total) * width) : width;
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${line(done, detail)}\x1b[K`);
  };
  return {
    update(done, detail) {
      if (quiet) return;
      if (tty) return bar(done, detail);
      const now = Date.now();
      if (now - last >= every || (done !== lastDone && done === total)) {
        last = now;
        lastDone = done;
        emit('progress', line(done, detail), { label, done, total });
      }
    },
    finish(detail) {
      if (quiet) return;
      if (tty) {
        bar(total, detail);
        process.stderr.write('\n');
      } else if (lastDone !== total) emit('progress', line(total, detail), { label, done: total, total });
    },
  };
}
