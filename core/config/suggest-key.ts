/**
 * The known name closest to a misspelt one, if close enough to be what was meant: at most one edit in four
 * characters (at least one), where an edit is an insertion, a deletion, a substitution or two letters swapped
 * (optimal string alignment distance), ignoring case; else a known name it begins (`keepBlueWarm`).
 */
export function suggestKey(unknown: string, known: Iterable<string>): string | undefined {
  let best: { key: string; distance: number } | undefined;
  const limit = Math.max(1, Math.floor(unknown.length / 4));
  for (const key of known) {
    const edits = editDistance(unknown.toLowerCase(), key.toLowerCase());
    const begins = unknown.length >= 4 && key.toLowerCase().startsWith(unknown.toLowerCase());
    const distance = edits <= limit ? edits : begins ? limit + 1 : Number.POSITIVE_INFINITY;
    if (distance !== Number.POSITIVE_INFINITY && (!best || distance < best.distance))
      best = { key, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
