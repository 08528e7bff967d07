/** mulberry32: a tiny seeded PRNG for test data, independent of the engine's own generator (shared with the bench). */
export { mulberry32 } from '../../bench/prng.js';
