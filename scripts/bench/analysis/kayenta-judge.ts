import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/*
 * The bench's peer: Kayenta's NetflixACAJudge (spinnaker/kayenta, kayenta-judge and kayenta-mannwhitney), as
 * published: each metric's canary and baseline values per interval, a Mann-Whitney confidence interval of the
 * location shift (R's wilcox.test with conf.int, normal approximation, continuity and tie corrections, roots by
 * Brent's method), a metric High when the interval's lower end is above tolerance × |Hodges-Lehmann estimate|
 * (tolerance 0.25, confidence 0.98) and its effect size (mean ratio) reaches allowedIncrease (1.0 by default;
 * NaN when a mean is 0, and then ignored); the score is the share of metrics that pass. A port, for comparison.
 */

/** Ranks with ties given their average rank (Commons Math NaturalRanking, TiesStrategy.AVERAGE). */
function averageRanks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]?.[1] ?? 0] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Kayenta's MannWhitney.wilcoxonDiff: the standardized rank-sum statistic at shift mu, less a quantile. */
export function wilcoxonDiff(mu: number, quantile: number, x: number[], y: number[]): number {
  const [m, n] = [x.length, y.length];
  const ranks = averageRanks([...x.map((v) => v - mu), ...y]);
  const ties = new Map<number, number>();
  for (const r of ranks) ties.set(r, (ties.get(r) ?? 0) + 1);
  const dz = ranks.slice(0, m).reduce((a, b) => a + b, 0) - (m * (m + 1)) / 2 - (m * n) / 2;
  const correction = Math.sign(dz) * 0.5;
  const tieSum = [...ties.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const sigma = Math.sqrt(((m * n) / 12) * (m + n + 1 - tieSum / ((m + n) * (m + n - 1))));
  if (sigma === 0) throw new Error('cannot compute confidence interval when all observations are tied');
  return (dz - correction) / sigma - quantile;
}

/** Kayenta's BrentSolver.solve (R's zeroin): tolerance 1e-4, at most 1,000 iterations. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a line-by-line port of the published solver, kept comparable to it
function brentSolve(ax: number, bx: number, faIn: number, fbIn: number, f: (x: number) => number): number {
  const EPSILON = 2.220446049250313e-16;
  const TOLERANCE = 1e-4;
  let [a, b, fa, fb] = [ax, bx, faIn, fbIn];
  let [c, fc] = [a, fa];
  if (fa === 0) return a;
  if (fb === 0) return b;
  for (let iteration = 0; iteration <= 1000; iteration++) {
    const prevStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      [a, b, c] = [b, c, b];
      [fa, fb, fc] = [fb, fc, fb];
    }
    const tolAct = 2 * EPSILON * Math.abs(b) + TOLERANCE / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= tolAct || fb === 0) return b;
    if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        q = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1));
        q = (q - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((prevStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tolAct) newStep = newStep > 0 ? tolAct : -tolAct;
    [a, fa] = [b, fb];
    b += newStep;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) [c, fc] = [a, fa];
  }
  return b;
}

/** Kayenta's MannWhitney.mannWhitneyUTest: the interval of x − y's location shift, and its estimate. */
export function mannWhitney(x: number[], y: number[], confidenceLevel = 0.95) {
  const muMin = Math.min(...x) - Math.max(...y);
  const muMax = Math.max(...x) - Math.min(...y);
  const root = (zq: number) => {
    const fLower = wilcoxonDiff(muMin, zq, x, y);
    const fUpper = wilcoxonDiff(muMax, zq, x, y);
    if (fLower <= 0) return muMin;
    if (fUpper >= 0) return muMax;
    return brentSolve(muMin, muMax, fLower, fUpper, (mu) => wilcoxonDiff(mu, zq, x, y));
  };
  const zQuant = normalQuantile((1 - confidenceLevel) / 2, 0, 1);
  const estimate = brentSolve(
    muMin,
    muMax,
    wilcoxonDiff(muMin, 0, x, y),
    wilcoxonDiff(muMax, 0, x, y),
    (mu) => wilcoxonDiff(mu, 0, x, y),
  );
  return { lower: root(-zQuant), upper: root(zQuant), estimate };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export type Classification = 'Pass' | 'High' | 'Nodata' | 'Error';

/**
 * MannWhitneyClassifier.classify for a metric whose direction is `increase` (errors, latency), NaN values
 * removed (the judge's default), with the judge's tolerance 0.25 and confidence 0.98 and the effect-size rule
 * (meanRatio ≥ allowedIncrease, ignored when NaN). `noise` is the Gaussian noise Kayenta adds when both sides
 * are constant (stdev = the value × 1e-5).
 */
export function classifyIncrease(
  control: number[],
  experiment: number[],
  noise: () => number,
  options = { tolerance: 0.25, confidenceLevel: 0.98, allowedIncrease: 1 },
): Classification {
  const [c, e] = [control.filter((v) => !Number.isNaN(v)), experiment.filter((v) => !Number.isNaN(v))];
  if (c.length === 0 || e.length === 0) return 'Nodata';
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b).join(',');
  if (sorted(c) === sorted(e)) return 'Pass';
  if (new Set([...c, ...e]).size === 1) return 'Pass';
  const constant = new Set(c).size === 1 && new Set(e).size === 1;
  const jitter = (v: number[]) => (constant ? v.map((x) => x + noise() * (v[0] ?? 0) * 1e-5) : v);
  const [x, y] = [jitter(e), jitter(c)];
  let result: ReturnType<typeof mannWhitney>;
  try {
    result = mannWhitney(x, y, options.confidenceLevel);
  } catch {
    return 'Error';
  }
  const [cm, em] = [mean(y), mean(x)];
  const effect = cm === 0 || em === 0 ? Number.NaN : em / cm;
  const upperBound = options.tolerance * Math.abs(result.estimate);
  const high = result.lower > upperBound && (Number.isNaN(effect) || effect >= options.allowedIncrease);
  return high ? 'High' : 'Pass';
}

/**
 * The canary's score (WeightedSumScorer, one group, no critical metric): 0 when half the metrics or more have
 * no data, else the share of metrics classified Pass among those judged; a run fails below the marginal
 * threshold (75 of 100, Spinnaker's default pair 95/75).
 */
export function kayentaFails(classifications: Classification[]): boolean {
  if (classifications.filter((c) => c === 'Nodata').length * 2 >= classifications.length) return true;
  const judged = classifications.filter((c) => c === 'Pass' || c === 'High');
  if (judged.length === 0) return false;
  const score = (100 * judged.filter((c) => c === 'Pass').length) / judged.length;
  return score < 75;
}
