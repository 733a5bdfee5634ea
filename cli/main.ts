import '../shared/polyfills';
import { Command, CommanderError } from 'commander';
import { errorMessage, WaError } from '../shared/errors';
import { commands } from './commands';
import { exitCodeOf } from './exit-codes';

/** Builds the `wa-analytics` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('wa-analytics')
    .description('WhatsApp webhook traffic to click-through analytics, on AWS or on one machine')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Entry point of the bin. A failure ends in one line on stderr, never a stack trace (set
 * WA_DEBUG=1 to see one), and the exit code of cli/exit-codes.ts: 1 when something
 * failed, 2 for bad input or configuration.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeOf(error);
    // commander has printed its own line (or the help) already.
    if (error instanceof CommanderError) return;
    const prefix = error instanceof WaError ? `${error.code} error` : 'error';
    process.stderr.write(`wa-analytics: ${prefix}: ${errorMessage(error)}\n`);
    if (process.env.WA_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  }
}
