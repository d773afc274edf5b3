/**
 * Deterministic pseudo-random numbers for tests and fixtures (xorshift32): the same seed gives
 * the same bytes on every run, so a failure reproduces and a regenerated fixture is identical.
 */

/** The xorshift32 sequence from `seed` (0 is not a valid state and is replaced by 1). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `length` bytes, one per step of the sequence (its low byte). */
export function noiseBytes(length: number, seed: number): Buffer {
  const next = xorshift32(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/** Incompressible bytes, four per step, so size assertions mean something. */
export function pseudoRandomBytes(size: number, seed = 0x9e3779b9): Buffer {
  const next = xorshift32(seed);
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return Buffer.from(words.buffer, 0, size);
}
