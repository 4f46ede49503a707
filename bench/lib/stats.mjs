// Order statistics over the runs of one scenario.

const sorted = (xs) => [...xs].sort((a, b) => a - b);

export function median(xs) {
  if (!xs.length) return null;
  const a = sorted(xs);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** p-th percentile, nearest rank (with 7 runs p90 is the slowest run). */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const a = sorted(xs);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
}

export const round1 = (x) => (x === null || x === undefined ? x : Math.round(x * 10) / 10);

/** {median: {k: v}, p90: {k: v}} over the numeric fields `keys` of `runs`. */
export function summarize(runs, keys) {
  const med = {};
  const p90 = {};
  for (const k of keys) {
    const xs = runs.map((r) => r[k]).filter((x) => typeof x === "number" && Number.isFinite(x));
    if (!xs.length) continue;
    med[k] = round1(median(xs));
    p90[k] = round1(percentile(xs, 90));
  }
  return { median: med, p90 };
}
