import type { RegisterCommand } from '../../register';
import type { QueryOptions } from './run';

/** `query "SQL"`: SQL over the local tables, as a table or JSON lines. */
export const registerQuery: RegisterCommand = (program) => {
  program
    .command('query')
    .description('run SQL over the local tables (raw_events, events, daily_ctr, anomalies, quarantine)')
    .argument('<sql>', 'the SQL text')
    .option('--json', 'print JSON lines, one object per row')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (sql: string, options: QueryOptions) => {
      const { runQuery } = require('./run') as typeof import('./run');
      await runQuery(sql, options, (text) => process.stdout.write(text));
    });
};
