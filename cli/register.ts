import type { Command } from 'commander';

/**
 * Adds one command to the program: its name, arguments, options and help. Only that: a command's
 * definition imports nothing heavier than commander and a few constants, and its action
 * `require`s the implementation when it runs, so `--help` and every other command start without
 * loading the AWS SDK, DuckDB or fastify.
 */
export type RegisterCommand = (program: Command) => void;
