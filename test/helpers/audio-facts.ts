// A recording's audio facts for tests of the facts and of the checks: a stereo call with two
// silences, one talk-over and known speech, each field overridable.
import type { AudioFacts } from '../../src/features/media';

export function audioFacts(o: Partial<AudioFacts> = {}): AudioFacts {
  return {
    durationSec: 120,
    channels: 2,
    talkSec: [40, 50],
    silences: [{ startSec: 30, endSec: 34 }, { startSec: 60, endSec: 100 }],
    silenceSec: 44,
    longestSilenceSec: 40,
    overlapSec: 3.5,
    overlaps: [{ startSec: 20, endSec: 21 }],
    speech: [[{ startSec: 1.2, endSec: 10 }, { startSec: 20, endSec: 30 }], [{ startSec: 9, endSec: 21 }]],
    clippedShare: [0, 0],
    vad: { frameMs: 20, thresholdDb: [-50, -50], noiseFloorDb: [-60, -60], version: 2 },
    ...o,
  };
}
