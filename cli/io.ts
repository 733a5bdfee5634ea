import { createInterface } from 'node:readline/promises';
import { InputError } from '../shared/errors';
import { startProgress, type Progress } from './ops/progress';

/**
 * The terminal side of the stage commands, injectable so tests see exactly what an operator
 * would: report lines on stdout, notes and the progress bar on stderr, a yes/no question.
 */
export interface OpsIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Asks a yes/no question; resolves true only for an explicit yes. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly progress: (label: string, total: number) => Progress;
  /** Backoff sleep of the Firehose sender and Athena polling. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** Asks on the terminal; without one there is nobody to answer, so the caller must pass --yes. */
async function askTerminal(question: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) throw new InputError('no terminal to confirm on: pass --yes to send without asking, or --dry-run to list');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The real terminal. */
export const processIo: OpsIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  confirm: askTerminal,
  progress: (label, total) => startProgress(label, total, process.stderr.isTTY === true),
};
