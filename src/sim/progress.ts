/** A progress bar on stderr, shown only when stderr is a terminal (Node-only). */
import { SingleBar } from 'cli-progress';

/** A progress reporter: `update(done, total)` then `stop()`. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar labelled `label` on stderr when it is a TTY and `enabled` is not false; otherwise a no-op.
 */
export function createProgress(label: string, enabled: boolean = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
