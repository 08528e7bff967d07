/** mulberry32: a small seeded PRNG, so bench inputs are the same on every run and machine. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in 0..k-1. */
export function randInt(rand: () => number, k: number): number {
  return Math.min(k - 1, Math.floor(rand() * k));
}
