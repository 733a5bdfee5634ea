import '../shared/polyfills';
import { benches } from './registry';

/**
 * `npm run bench -- [--json] [--only name[,name]]`: runs benchmarks side by side in one process
 * and prints, as its last line with --json, one JSON object merging every result.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(benches);
  const unknown = only.filter((n) => !(n in benches));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})\n`);
    process.exit(2);
  }
  const merged: Record<string, number | string | boolean> = {};
  for (const name of only) {
    process.stderr.write(`bench: running ${name}\n`);
    const result = await benches[name]!();
    Object.assign(merged, result);
    if (!json) for (const [k, v] of Object.entries(result)) process.stdout.write(`${k}\t${v}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(merged)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
