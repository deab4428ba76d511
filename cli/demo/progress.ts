/**
 * A progress bar for the demo: redrawn in place on a terminal, and on anything else (a pipe,
 * a CI log) one plain line per quarter, so a log never fills with carriage returns.
 */
export interface ProgressBar {
  update(done: number): void;
  /** Replaces the bar with its final line. */
  finish(line: string): void;
}

const WIDTH = 30;

export function progressBar(stream: NodeJS.WriteStream, prefix: string, total: number, unit: string): ProgressBar {
  const tty = stream.isTTY === true;
  let reported = -1;
  const count = (n: number) => n.toLocaleString('en-US');
  const draw = (done: number) => {
    const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
    return `${prefix}[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count(done)} / ${count(total)} ${unit}`;
  };
  return {
    update(done) {
      if (tty) {
        stream.write(`\r${draw(done)}\x1b[K`);
        return;
      }
      const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
      if (quarter > reported && quarter > 0 && quarter < 4) {
        reported = quarter;
        stream.write(`${prefix}${quarter * 25}% (${count(done)} / ${count(total)} ${unit})\n`);
      }
    },
    finish(line) {
      stream.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}
