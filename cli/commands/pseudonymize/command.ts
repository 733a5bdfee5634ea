import type { RegisterCommand } from '../../register';
import type { PseudonymizeFlags } from './run';

/** `pseudonymize`: what a phone number or message id becomes in the stored rows (hash mode). */
export const registerPseudonymize: RegisterCommand = (program) => {
  program
    .command('pseudonymize')
    .description('print what phone numbers, user ids or message ids become in the stored rows (wa_id, wamid, context_wamid, event_id), with the local or the stage key')
    .argument('<value...>', 'phone numbers (any punctuation), user ids or wamids')
    .option('--data-dir <dir>', 'the local data directory whose key to use (default: $WA_DATA_DIR or ./.wa-analytics)')
    .option('--stage <stage>', "use a deployed stage's key (the SSM parameter its transform reads)")
    .option('--region <region>', 'AWS region of the stage')
    .action(async (values: string[], options: PseudonymizeFlags) => {
      const { runPseudonymize } = require('./run') as typeof import('./run');
      const { processIo } = require('../../io') as typeof import('../../io');
      await runPseudonymize(values, options, processIo);
    });
};
