// What the benchmarks measure with: the median of several runs, and CPU time including finished
// child processes (ffmpeg), which does not swing with the shared machine's load as wall time does.
import fs from 'node:fs';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU milliseconds used by this process and its finished children (Linux /proc; own only elsewhere). */
export function cpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // After "(comm) ": field 3 is the state; cutime and cstime are fields 16 and 17, in ticks of 10 ms.
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1000 + children;
}

/** Runs fn `runs` times; wall and CPU milliseconds of each run. Prints a dot when done. */
export async function measureRuns(runs: number, fn: () => Promise<unknown>): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  process.stdout.write('.');
  return { wall, cpu };
}
