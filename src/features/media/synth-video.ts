// Synthetic video calls for the demo and the tests: sign-language calls arrive as video, with or
// without sound. Made with ffmpeg's lavfi sources (a moving test picture with a running clock),
// like the synthetic audio calls: nothing binary is committed.
import { mediaPath, runFfmpeg, type MediaTools } from './ffmpeg';

export type SyntheticVideoKind =
  /** MPEG-4 Part 2 video + AAC in MP4, as older video phones record: Chrome needs a rendition. */
  | 'mp4-mpeg4'
  /** H.264 + AAC in MP4: plays as is. */
  | 'mp4-h264'
  /** H.264 in MP4 without a sound track: plays as is (quick to make). */
  | 'mp4-h264-silent'
  /** VP8 in WebM without a sound track, as a browser recorder makes it: plays as is. */
  | 'webm-silent';

/**
 * Writes a synthetic video call to `dest`: `durationSec` of a 480×270 moving picture at 15 fps,
 * with `audioFile` (e.g. a synthesizeCallWav() file) as its sound where the kind has sound.
 */
export async function synthesizeVideoCall(tools: MediaTools, dest: string, opts: { kind: SyntheticVideoKind; durationSec: number; audioFile?: string | null }): Promise<void> {
  const picture = ['-f', 'lavfi', '-i', `testsrc2=size=480x270:rate=15:duration=${opts.durationSec}`];
  const sound = !opts.kind.endsWith('-silent') && opts.audioFile ? ['-i', mediaPath(opts.audioFile), '-map', '0:v', '-map', '1:a', '-c:a', 'aac', '-b:a', '48k', '-shortest'] : ['-an'];
  const video: Record<SyntheticVideoKind, string[]> = {
    'mp4-mpeg4': ['-c:v', 'mpeg4', '-q:v', '7', '-f', 'mp4'],
    'mp4-h264': ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'],
    'mp4-h264-silent': ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'],
    'webm-silent': ['-c:v', 'libvpx', '-b:v', '250k', '-deadline', 'realtime', '-cpu-used', '8', '-f', 'webm'],
  };
  await runFfmpeg(tools, ['-v', 'error', '-y', ...picture, ...sound, ...video[opts.kind], mediaPath(dest)]);
}
