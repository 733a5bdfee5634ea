import { SingleBar } from 'cli-progress';

/**
 * The progress display of the stage commands (replay, requeue, and backfill --stage): a bar on
 * stderr when it is a terminal, nothing otherwise, so cron and CI logs keep only the report line.
 */
export interface Progress {
  /** Sets the current position and the counts shown after the bar. */
  update(done: number, counts: { sent: number; failed: number }): void;
  /** Grows the total when the size was not known up front. */
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, setTotal: () => undefined, stop: () => undefined };

/** A bar labelled `label` for `total` units (files, bytes or records), or a silent one. */
export function startProgress(label: string, total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || total <= 1) return silent;
  const bar = new SingleBar({ stream, format: `${label} [{bar}] {percentage}% | {sent} sent, {failed} failed`, hideCursor: true });
  bar.start(total, 0, { sent: 0, failed: 0 });
  let stopped = false;
  let size = total;
  return {
    update: (done, counts) => bar.update(Math.min(done, size), counts),
    setTotal: (n) => {
      size = n;
      bar.setTotal(n);
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
