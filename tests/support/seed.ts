/**
 * Seeded randomness for fault tests: a fixed seed by default, so CI runs the same case every
 * time; FAULT_SEED=<n> replays (or explores) another. The seed is printed, so a failure names
 * the case that reproduces it.
 *
 *   const rng = seededRandom('fault-telegram', 7301);   // prints "[fault-telegram] seed=7301"
 *   rng.int(0, 9); rng.pick(['a', 'b']); rng.next();
 */
export interface SeededRandom {
  seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast, and good enough to spread test cases. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededRandom(name: string, defaultSeed: number): SeededRandom {
  const fromEnv = Number(process.env.FAULT_SEED);
  const seed = Number.isInteger(fromEnv) && process.env.FAULT_SEED !== '' ? fromEnv : defaultSeed;
  console.log(`[${name}] seed=${seed}`);
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
