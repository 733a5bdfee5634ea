import { CommanderError } from 'commander';
import { WaError } from '../shared/errors';

/**
 * The CLI's exit codes, the same for every command: 0 done (or help shown), 1 something failed
 * (an AWS call, the workflow, a record not sent, a stage unhealthy), 2 the command could not
 * start from what it was given (bad flags or input, missing or invalid configuration), so a
 * script can tell "fix the invocation" from "try again or look at the stage".
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/**
 * Error codes (WaError `code`) of InputError and ConfigError, and of errors rewrapping them; and
 * LockError: the data dir given is another writer's, so the command cannot start with it.
 */
const usageErrorCodes: ReadonlySet<string> = new Set(['input', 'config', 'lock']);

/** The exit code of a command that threw `error`. */
export function exitCodeOf(error: unknown): ExitCode {
  // commander's help and version end in a CommanderError with exit code 0; the rest is bad usage.
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  if (error instanceof WaError && usageErrorCodes.has(error.code)) return exitCodes.usage;
  return exitCodes.failed;
}
