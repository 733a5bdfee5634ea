import type { Command } from 'commander';
import { registerBackfill } from './backfill';
import { registerCatalog } from './catalog';
import { registerCompact } from './compact';
import { registerDaily } from './daily';
import { registerDemo } from './demo';
import { registerDetect } from './detect';
import { registerFlatten } from './flatten';
import { registerPseudonymize } from './pseudonymize';
import { registerQuery } from './query';
import { registerReplay } from './replay';
import { registerReport } from './report';
import { registerRequeue } from './requeue';
import { registerStart } from './start';
import { registerStatus } from './status';

/** Registers one command on the program. Each command lives in its own file in this folder. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in help order. Add a command by adding its file and one line here. */
export const commands: RegisterCommand[] = [
  registerStart,
  registerDemo,
  registerReplay,
  registerFlatten,
  registerDaily,
  registerBackfill,
  registerDetect,
  registerQuery,
  registerPseudonymize,
  registerReport,
  registerCatalog,
  registerCompact,
  registerRequeue,
  registerStatus,
];
