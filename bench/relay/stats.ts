// Small summaries for a handful of repetitions.

export interface Summary {
  median: number;
  max: number;
  min: number;
}

export function summarize(values: number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, max: Number.NaN, min: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, max: sorted.at(-1)!, min: sorted[0]! };
}

/** The run whose `key` is the median one (the lower middle for an even count). */
export function medianRun<T>(runs: T[], key: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
