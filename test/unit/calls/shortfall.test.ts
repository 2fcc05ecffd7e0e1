import { expect } from 'chai';
import { recordingShortfall } from '../../../src/features/calls/calls.model';

describe('calls.model recordingShortfall()', () => {
  it('flags a recording much shorter than the call it belongs to (2:31 listed, 0:32 recorded)', () => {
    expect(recordingShortfall(151, 32)).to.deep.equal({ listedSec: 151, recordedSec: 32, missingSec: 119 });
  });

  it('leaves a recording alone that covers the call, or misses only its ringing seconds', () => {
    expect(recordingShortfall(151, 151)).to.equal(null);
    expect(recordingShortfall(151, 147)).to.equal(null); // 4 s short: under the 5 s floor
    expect(recordingShortfall(600, 560)).to.equal(null); // 93 %: within the 90 % share
    expect(recordingShortfall(600, 530)).to.not.equal(null);
  });

  it('says nothing when a length is unknown', () => {
    expect(recordingShortfall(null, 30)).to.equal(null);
    expect(recordingShortfall(120, null)).to.equal(null);
    expect(recordingShortfall(0, 0)).to.equal(null);
  });
});
