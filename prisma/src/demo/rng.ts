import { createHash } from 'node:crypto';

/** A seeded PRNG (mulberry32): the same seed gives the same sequence on every run. */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi]. */
export const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
export const chance = (rng: Rng, p: number) => rng() < p;
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/** Picks by weight from [value, weight] pairs. */
export function weighted<T>(rng: Rng, entries: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (let i = 0; i < entries.length; i++) total += entries[i]![1];
  let r = rng() * total;
  for (let i = 0; i < entries.length; i++) {
    r -= entries[i]![1];
    if (r < 0) return entries[i]![0];
  }
  return entries[entries.length - 1]![0];
}

/** `n` distinct items (or all of them), in random order. */
export function sample<T>(rng: Rng, list: readonly T[], n: number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, Math.min(n, copy.length));
}

const DEMO_NAMESPACE = 'hub-demo-seed';

/** A stable UUID (version 5 layout, SHA-1 of a namespace and name), so the seed can key rows deterministically. */
export function demoUuid(name: string): string {
  const h = createHash('sha1').update(`${DEMO_NAMESPACE}:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
