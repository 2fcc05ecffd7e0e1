// The one door to ffmpeg and ffprobe. Every other media file asks this module to run them, so the
// choice of binary (configured path, system package, or the static build shipped inside npm) and
// the way they are spawned live in one place. fluent-ffmpeg's upstream is archived; spawning the
// binaries directly is simpler and lets the decode pipe stream raw PCM straight into Node.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type BinaryOrigin = 'config' | 'system' | 'installer';

/** Which ffmpeg/ffprobe to run. Build one with resolveMediaTools() and pass it to the media functions. */
export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  origin: { ffmpeg: BinaryOrigin; ffprobe: BinaryOrigin };
}

/** The two Config fields that matter here (config.ffmpegPath / config.ffprobePath). */
export interface MediaToolPaths {
  ffmpegPath?: string | null;
  ffprobePath?: string | null;
}

export class MediaToolsMissingError extends Error {
  override name = 'MediaToolsMissingError';
}

/** ffmpeg or ffprobe ran but failed (non-zero exit, killed, timed out). */
export class MediaToolError extends Error {
  override name = 'MediaToolError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const cache = new Map<string, MediaTools>();

/**
 * Picks the binaries: the configured path when set (it must exist), else the system `ffmpeg` /
 * `ffprobe` found on PATH, else the static builds from @ffmpeg-installer / @ffprobe-installer
 * (old builds, 2–3× slower: a fallback so a fresh machine with only Node still works).
 * The answer is cached per pair of configured paths.
 */
export function resolveMediaTools(paths: MediaToolPaths = {}): MediaTools {
  const cacheKey = `${paths.ffmpegPath ?? ''}\u0000${paths.ffprobePath ?? ''}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const ffmpeg = pickBinary('ffmpeg', paths.ffmpegPath, 'FFMPEG_PATH', () => installerPath('@ffmpeg-installer/ffmpeg'));
  const ffprobe = pickBinary('ffprobe', paths.ffprobePath, 'FFPROBE_PATH', () => installerPath('@ffprobe-installer/ffprobe'));
  const tools: MediaTools = { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, origin: { ffmpeg: ffmpeg.origin, ffprobe: ffprobe.origin } };
  cache.set(cacheKey, tools);
  return tools;
}

function pickBinary(
  name: 'ffmpeg' | 'ffprobe',
  configured: string | null | undefined,
  setting: string,
  fromInstaller: () => string | null,
): { path: string; origin: BinaryOrigin } {
  if (configured) {
    if (!fs.existsSync(configured)) throw new MediaToolsMissingError(`${setting}=${configured}: no such file`);
    return { path: configured, origin: 'config' };
  }
  // Asking the binary for its version is how we "find it on PATH" without reading the environment
  // ourselves: spawn resolves the bare name through PATH.
  if (answersVersion(name)) return { path: name, origin: 'system' };
  const bundled = fromInstaller();
  if (bundled && answersVersion(bundled)) return { path: bundled, origin: 'installer' };
  throw new MediaToolsMissingError(`${name} not found: install it, set ${setting}, or reinstall the npm dependencies`);
}

function answersVersion(binary: string): boolean {
  try {
    const r = spawnSync(binary, ['-version'], { stdio: 'ignore', timeout: 10_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

function installerPath(pkg: string): string | null {
  try {
    const mod = require(pkg) as { path?: string };
    return typeof mod.path === 'string' ? mod.path : null;
  } catch {
    return null; // package missing or platform unsupported
  }
}

export interface RunOptions {
  /** Kill the process after this long (default 10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const STDERR_KEEP = 16 * 1024;

/** Runs ffmpeg to completion (output goes to files named in args). Rejects with MediaToolError on failure. */
export function runFfmpeg(tools: MediaTools, args: string[], opts: RunOptions = {}): Promise<{ stderr: string }> {
  return run(tools.ffmpeg, ['-nostdin', '-hide_banner', ...args], opts).then(({ stderr }) => ({ stderr }));
}

/** Runs ffprobe and returns its stdout (capped at 32 MiB). */
export function runFfprobe(tools: MediaTools, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return run(tools.ffprobe, ['-hide_banner', ...args], opts);
}

/** Minimal view of `ffprobe -print_format json -show_format -show_streams`. */
export interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  bits_per_sample?: number;
  bits_per_raw_sample?: string;
  bit_rate?: string;
  duration?: string;
  width?: number;
  height?: number;
  disposition?: Record<string, number>;
}
export interface FfprobeFormat {
  format_name?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
  nb_streams?: number;
}
export interface FfprobeData {
  streams?: FfprobeStream[];
  format?: FfprobeFormat;
}

/** ffprobe's streams and format of a file as JSON. Rejects with MediaToolError when ffprobe cannot read it. */
export async function ffprobeJson(tools: MediaTools, file: string, opts: RunOptions = {}): Promise<FfprobeData> {
  const { stdout } = await runFfprobe(tools, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', mediaPath(file)], {
    timeoutMs: 60_000,
    ...opts,
  });
  try {
    return JSON.parse(stdout) as FfprobeData;
  } catch {
    throw new MediaToolError('ffprobe printed no JSON', 0, stdout.slice(0, 2000));
  }
}

/**
 * Starts ffmpeg with stdout as a pipe (for raw PCM). The caller reads `child.stdout` and must
 * handle 'close'. stdin is closed at once so ffmpeg never waits on it; the process is killed
 * after timeoutMs (default 10 minutes) so a stuck decode cannot hold a job forever.
 */
export function spawnFfmpeg(tools: MediaTools, args: string[], opts: RunOptions = {}): ChildProcessWithoutNullStreams {
  const child = spawn(tools.ffmpeg, ['-nostdin', '-hide_banner', ...args], { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  child.on('close', () => clearTimeout(timer));
  child.on('error', () => clearTimeout(timer));
  return child;
}

/**
 * A file path as ffmpeg must see it: absolute, so it can neither start with '-' (an option) nor
 * look like 'name:' (a protocol).
 */
export function mediaPath(file: string): string {
  return path.resolve(file);
}

function run(binary: string, args: string[], opts: RunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < 32 * 1024 * 1024) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      if (stderr.length > STDERR_KEEP * 2) stderr = stderr.slice(-STDERR_KEEP);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new MediaToolError(`${binary} could not start: ${err.message}`, null, stderr));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve({ stdout, stderr });
      else reject(new MediaToolError(`${binary} failed (${sig ?? `exit ${code}`}): ${lastLine(stderr)}`, code, stderr.slice(-STDERR_KEEP)));
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
