// Why a recording was refused, as an i18n key plus params: the upload/import routes and the job
// handler show or store the key; the UI translates it. Never a user-facing sentence here.

export type MediaRejectionReason =
  | 'media.rejected.empty' // zero bytes, or no audio samples at all
  | 'media.rejected.tooLarge' // params: sizeBytes, maxBytes, maxMb
  | 'media.rejected.tooLong' // params: durationSec, maxSeconds, maxMinutes
  | 'media.rejected.notAudio' // not a media file, or a media file with no audio stream (params: hasVideo)
  | 'media.rejected.corrupt' // looks like a media file but cannot be read to its end (params: detail, maybe claimedSec/actualSec)
  | 'media.rejected.unsupported' // an audio stream ffmpeg cannot decode (params: codec)
  // Probed fine but can never be prepared (preparable.ts):
  | 'media.rejected.sampleRate' // params: sampleRate, minRate
  | 'media.rejected.tooManyChannels' // params: channels, maxChannels
  | 'media.rejected.disguised' // a WAV header around another format (params: codec)
  | 'media.rejected.notFinite'; // float samples that are infinite or NaN

export type MediaRejectionParams = Record<string, string | number | boolean>;

export class MediaRejectedError extends Error {
  override name = 'MediaRejectedError';
  constructor(
    readonly reasonKey: MediaRejectionReason,
    readonly params: MediaRejectionParams = {},
    /** ffmpeg's own words, for the log only (never shown to a user). */
    readonly diagnostics?: string,
  ) {
    super(`${reasonKey} ${JSON.stringify(params)}`);
  }
}

export function isMediaRejectedError(e: unknown): e is MediaRejectedError {
  return e instanceof MediaRejectedError;
}
