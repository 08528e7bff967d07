/**
 * Initial factors for restart (seed, k, r), drawn on the host so every backend starts from the same
 * numbers (DESIGN section 2). The stream is xoshiro128** seeded by a splitmix32 hash of (seed, k, r):
 * it depends on nothing else (not the shard layout, batch or thread count).
 */

/** splitmix32-style finalizer: a well-mixed 32-bit hash step. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded uniform generator on (0, 1]; each value is a multiple of 2^-24, exact in float32. */
export function restartStream(seed: number, k: number, restart: number): () => number {
  // Fold the key into four words; seeds up to 2^53 are accepted (high and low 32 bits both used).
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let h = mix32(lo ^ mix32(hi));
  const s = new Uint32Array(4);
  h = mix32(h ^ mix32(k + 0x51ed27));
  s[0] = h;
  h = mix32(h ^ mix32(restart + 0x2545f491));
  s[1] = h;
  s[2] = mix32(h ^ 0x6a09e667);
  s[3] = mix32(s[2]! ^ 0xbb67ae85) | 1; // never all zero
  return () => {
    // xoshiro128**
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return ((result >>> 8) + 1) / 16777216;
  };
}

function rotl(x: number, b: number): number {
  return (x << b) | (x >>> (32 - b));
}

export interface InitialFactors {
  /** m x k, row-major. */
  W: Float32Array;
  /** k x n, row-major. */
  H: Float32Array;
}

/**
 * W (m x k) then H (k x n), uniform in (0, 1] scaled by sqrt(mean(A) / k), so that WH has the
 * same mean magnitude as A whatever k is.
 */
export function initialFactors(
  seed: number,
  k: number,
  restart: number,
  m: number,
  n: number,
  meanA: number,
): InitialFactors {
  const next = restartStream(seed, k, restart);
  const scale = Math.sqrt(meanA / k);
  const W = new Float32Array(m * k);
  for (let i = 0; i < W.length; i++) W[i] = next() * scale;
  const H = new Float32Array(k * n);
  for (let i = 0; i < H.length; i++) H[i] = next() * scale;
  return { W, H };
}
