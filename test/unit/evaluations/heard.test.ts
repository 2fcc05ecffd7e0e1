import { expect } from 'chai';
import fc from 'fast-check';
import { coveredSeconds, heardShare, mergeIntervals, needsHeardConfirmation, PlaybackTracker } from '../../../src/features/evaluations/heard';

describe('how much of the recording was heard', () => {
  describe('mergeIntervals()', () => {
    it('joins overlapping and nearly touching stretches and sorts them', () => {
      expect(mergeIntervals([[30, 40], [0, 10], [9, 15], [15.2, 20]])).to.deep.equal([[0, 20], [30, 40]]);
    });

    it('clips to the recording and drops reversed, tiny and malformed entries', () => {
      expect(mergeIntervals([[-5, 3], [80, 120], [10, 5], [50, 50.01], ['a', 3] as unknown as [number, number], [NaN, 4]], 95)).to.deep.equal([[0, 3], [80, 95]]);
    });

    it('counts each moment once, whatever the order and repetition of the stretches', () => {
      const arb = fc.array(fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 30 });
      fc.assert(fc.property(arb, (raw) => {
        const merged = mergeIntervals(raw, 100);
        expect(coveredSeconds(merged)).to.be.at.most(100 + 1e-9);
        for (let i = 1; i < merged.length; i++) expect(merged[i]![0]).to.be.greaterThan(merged[i - 1]![1]);
        expect(mergeIntervals([...raw, ...raw].reverse(), 100)).to.deep.equal(merged);
        expect(mergeIntervals(merged, 100)).to.deep.equal(merged);
      }));
    });
  });

  describe('heardShare() and the confirmation', () => {
    it('is the covered share of the duration, unknown without a duration', () => {
      expect(heardShare([[0, 45]], 90)).to.equal(0.5);
      expect(heardShare([[0, 45]], null)).to.equal(null);
      expect(heardShare([[0, 100]], 90)).to.equal(1);
    });

    it('asks for confirmation only below the minimum, never when the share is unknown', () => {
      expect(needsHeardConfirmation(0.89, 0.9)).to.equal(true);
      expect(needsHeardConfirmation(0.9, 0.9)).to.equal(false);
      expect(needsHeardConfirmation(null, 0.9)).to.equal(false);
    });
  });

  describe('PlaybackTracker', () => {
    it('counts continuous playback, and a seek does not count the skipped audio as heard', () => {
      const tracker = new PlaybackTracker([], 100);
      for (let t = 0; t <= 10; t += 0.25) tracker.tick(t);
      // the user jumps to 50 and listens on
      for (let t = 50; t <= 55; t += 0.25) tracker.tick(t);
      tracker.stop();
      expect(tracker.snapshot()).to.deep.equal([[0, 10], [50, 55]]);
    });

    it('a skip back of 5 s starts a new stretch that merges with what was heard', () => {
      const tracker = new PlaybackTracker([[0, 5]], 100);
      for (let t = 20; t <= 30; t += 0.5) tracker.tick(t);
      for (let t = 25; t <= 33; t += 0.5) tracker.tick(t);
      expect(tracker.snapshot()).to.deep.equal([[0, 5], [20, 33]]);
    });

    it('includes the stretch being played in the snapshot', () => {
      const tracker = new PlaybackTracker();
      tracker.tick(1);
      tracker.tick(2);
      expect(tracker.snapshot()).to.deep.equal([[1, 2]]);
    });
  });
});
