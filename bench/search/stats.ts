/** Latency summary of one system over every measured query and round (milliseconds). */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile of sorted samples. */
const rank = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round2 = (n: number) => Math.round(n * 100) / 100;

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(sorted.length, 1);
  return { n: sorted.length, p50: round2(rank(sorted, 50)), p95: round2(rank(sorted, 95)), p99: round2(rank(sorted, 99)), mean: round2(mean) };
}

export const ratio = (a: number, b: number) => round2(a / b);

/** A latency summary on one line, in milliseconds. */
export const formatSummary = (s: Summary) => `p50 ${s.p50.toFixed(1)}  p95 ${s.p95.toFixed(1)}  p99 ${s.p99.toFixed(1)}  mean ${s.mean.toFixed(1)}  (n=${s.n})`;

/** Milliseconds as seconds, one decimal. */
export const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
