import { Presets, SingleBar } from 'cli-progress';
import type { ReindexProgress } from './reindex.ts';

/** A progress bar on a terminal; a plain line every 10% in logs and CI. */
export function progressReporter(out: NodeJS.WriteStream = process.stdout) {
  if (out.isTTY) {
    const bar = new SingleBar({ format: 'listings [{bar}] {percentage}% {value}/{total} eta {eta_formatted}', stream: out }, Presets.shades_classic);
    let started = false;
    return {
      update({ done, total }: ReindexProgress) {
        if (!started) bar.start(total, done);
        started = true;
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update({ done, total }: ReindexProgress) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > lastTenth) out.write(`listings ${done}/${total} (${tenth * 10}%)\n`);
      lastTenth = tenth;
    },
    stop() {},
  };
}
