/** The seeding progress bar: cli-progress on stderr, only when stderr is a terminal (never in CI logs). */
import { Presets, SingleBar } from 'cli-progress';

/** A progress callback for `runSmoke` and a `stop` to call after the run; undefined when not a TTY. */
export function seedProgressBar(stream: NodeJS.WriteStream): { onSeedProgress: (done: number, total: number) => void; stop: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar({ stream, format: 'seeding {bar} {value}/{total} vectors  {eta}s left', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    onSeedProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
      if (done >= total) bar.stop();
    },
    stop: () => started && bar.stop(),
  };
}
