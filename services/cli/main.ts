import '../../shared/polyfills';
import { Command, CommanderError } from 'commander';
import { errorMessage, WaError } from '../../shared/errors';
import { commands } from './commands';

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
 * Entry point of the bin. Bad input ends in one line on stderr and a non-zero exit, never a
 * stack trace (set WA_DEBUG=1 to see one).
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const prefix = error instanceof WaError ? `${error.code} error` : 'error';
    process.stderr.write(`wa-analytics: ${prefix}: ${errorMessage(error)}\n`);
    if (process.env.WA_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    process.exitCode = error instanceof WaError ? 2 : 1;
  }
}
