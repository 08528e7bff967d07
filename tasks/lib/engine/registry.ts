/**
 * The engine paths, registered by their own modules when imported (as tfjs-core backends register
 * themselves); select.ts imports every path module and picks one per request.
 */
import type { EnginePath, PathRequest } from './types.js';

const paths: EnginePath[] = [];

export function registerPath(path: EnginePath): void {
  if (paths.some((p) => p.name === path.name)) throw new Error(`engine path ${path.name} is registered twice`);
  paths.push(path);
}

export function registeredPaths(): readonly EnginePath[] {
  return paths;
}

/** The one registered path that accepts `req`. */
export function pathFor(req: PathRequest): EnginePath {
  const found = paths.filter((p) => p.accepts(req));
  if (found.length !== 1) {
    throw new Error(`engine: ${found.length} paths accept kernels=${req.kernels} streamed=${req.streamed} (registered: ${paths.map((p) => p.name).join(', ')})`);
  }
  return found[0]!;
}
