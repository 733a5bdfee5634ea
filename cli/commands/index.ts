import type { RegisterCommand } from '../register';
import { registerBackfill } from './backfill/command';
import { registerCatalog } from './catalog/command';
import { registerCompact } from './compact/command';
import { registerDaily } from './daily/command';
import { registerDemo } from './demo/command';
import { registerDetect } from './detect/command';
import { registerExperiments } from './experiments/command';
import { registerFlatten } from './flatten/command';
import { registerPseudonymize } from './pseudonymize/command';
import { registerQuery } from './query/command';
import { registerReplay } from './replay/command';
import { registerReport } from './report/command';
import { registerRequeue } from './requeue/command';
import { registerStart } from './start/command';
import { registerStatus } from './status/command';
import { registerToday } from './today/command';

/**
 * Every command of the CLI, in help order. Each command has its folder here: `command.ts` (the
 * definition, cheap to load) and the CLI-facing logic its action loads (`run.ts`). Add a command
 * by adding its folder and one line here.
 */
export const commands: readonly RegisterCommand[] = [
  registerStart,
  registerDemo,
  registerReplay,
  registerFlatten,
  registerDaily,
  registerBackfill,
  registerDetect,
  registerToday,
  registerExperiments,
  registerQuery,
  registerPseudonymize,
  registerReport,
  registerCatalog,
  registerCompact,
  registerRequeue,
  registerStatus,
];
