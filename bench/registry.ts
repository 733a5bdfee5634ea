import { cliBench } from './cli';
import { dailyBench } from './daily';
import { detectBench } from './detect';
import { experimentsBench } from './experiments';
import { ingestBench } from './ingest';
import { transformBench } from './transform';

/** A benchmark returns flat figures (ratios measured side by side, sizes, counts). */
export type Bench = () => Promise<Record<string, number | string | boolean>>;

/** Every benchmark by name; `--only` picks from these. Add one by adding its file and a line here. */
export const benches: Record<string, Bench> = {
  transform: transformBench,
  detect: detectBench,
  experiments: experimentsBench,
  ingest: ingestBench,
  daily: dailyBench,
  cli: cliBench,
};
