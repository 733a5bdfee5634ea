/**
 * DOM ids of charts made one per thing (a campaign, an experiment and metric): the page finds
 * each canvas by its id, so two things whose names differ only in punctuation still get two ids.
 */

/** Lower-case letters and digits, runs of anything else as one hyphen ("x" when nothing is left). */
export function idSlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** `prefix-<slug>-<slug>…`, numbered `-2`, `-3`… when `taken` already holds it; the id is added to `taken`. */
export function uniqueChartId(prefix: string, parts: readonly string[], taken: Set<string>): string {
  const base = [prefix, ...parts.map(idSlug)].join('-');
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  taken.add(id);
  return id;
}
