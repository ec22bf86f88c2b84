import cliProgress from 'cli-progress';

/** A progress bar on stderr when it is a terminal (and not in --json mode); silent otherwise. */
export interface Progress {
  start(total: number, label: string): void;
  increment(by?: number): void;
  stop(): void;
}

export function progress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { start() {}, increment() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    increment(by = 1) {
      bar?.increment(by);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
