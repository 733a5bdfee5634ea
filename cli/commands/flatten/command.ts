import { Option } from 'commander';
import { piiModes } from '../../../shared/pii';
import { sources } from '../../../shared/schema/types';
import type { RegisterCommand } from '../../register';
import type { FlattenOptions } from './run';

/** `flatten [FILE]`: the rows the transform makes from one raw body, as JSON lines. */
export const registerFlatten: RegisterCommand = (program) => {
  program
    .command('flatten')
    .description('print the flat rows (JSON lines) the transform makes from one raw webhook body')
    .argument('[file]', 'the body (a file, or - for standard input)')
    .addOption(new Option('--source <source>', 'who sent the body (default: inferred from the body, as replay does)').choices([...sources]))
    .addOption(new Option('--pii <mode>', 'pseudonymize wa_id (hash) or keep it (raw)').choices([...piiModes]))
    .option('--signature <header>', 'the signature header as received, to check it with the secret from the environment')
    .option('--url <url>', 'Twilio: the full URL Twilio requested (with its query string), which the signature covers')
    .option('--received-at <time>', 'ISO-8601 receive time (default: now)')
    .option('--data-dir <dir>', 'local data dir (holds the generated PII key)')
    .action(async (file: string | undefined, options: FlattenOptions) => {
      const { flatten } = require('./run') as typeof import('./run');
      process.exitCode = await flatten(file, options, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`));
    });
};
