// Hostile call cards are refused with calls.card.malformed (a 400 the telephony platform will not retry),
// never a crash: deep nesting, prototype names, several root elements, characters XML forbids.
import { expect } from 'chai';
import { CallCardError, parseCallCard } from '../../../src/features/calls/call-card';

function refusal(xml: string): string {
  try {
    parseCallCard(xml);
  } catch (e) {
    expect(e).to.be.instanceOf(CallCardError);
    return (e as CallCardError).key;
  }
  return 'accepted';
}

describe('call cards that are not cards', () => {
  it('refuses 70,000-deep nesting as malformed, quickly', () => {
    const started = Date.now();
    expect(refusal(`<CallCard>${'<a>'.repeat(70_000)}${'</a>'.repeat(70_000)}</CallCard>`)).to.equal('calls.card.malformed');
    expect(Date.now() - started).to.be.below(2000);
  });

  it('refuses elements named __proto__ or constructor as malformed (no prototype pollution, no crash)', () => {
    expect(refusal('<CallCard><__proto__><polluted>1</polluted></__proto__><CardNumber>1</CardNumber></CallCard>')).to.equal('calls.card.malformed');
    expect(refusal('<CallCard><constructor>1</constructor></CallCard>')).to.equal('calls.card.malformed');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('refuses two root elements, alike or not, with or without a declaration', () => {
    expect(refusal('<CallCard><CardNumber>1</CardNumber></CallCard><CallCard><CardNumber>2</CardNumber></CallCard>')).to.equal('calls.card.malformed');
    expect(refusal('<CallCard><CardNumber>1</CardNumber></CallCard><Other/>')).to.equal('calls.card.malformed');
    expect(refusal('<?xml version="1.0"?><CallCard/><CallCard/>')).to.equal('calls.card.malformed');
  });

  it('refuses NUL and other characters XML 1.0 does not allow, and says where', () => {
    try {
      parseCallCard('<CallCard>\n<CardNumber>12\u0000</CardNumber></CallCard>');
      expect.fail('accepted');
    } catch (e) {
      expect((e as CallCardError).key).to.equal('calls.card.malformed');
      expect((e as CallCardError).params).to.deep.equal({ line: 2, col: 15 });
    }
    expect(refusal('<CallCard><CardNumber>1\u0001</CardNumber></CallCard>')).to.equal('calls.card.malformed');
    expect(refusal('<CallCard><CardNumber>\uD800</CardNumber></CallCard>')).to.equal('calls.card.malformed');
  });

  it('leaves a character reference to a forbidden character as written (nothing decodes to NUL)', () => {
    const card = parseCallCard('<CallCard><CardNumber>&#0;&#1;7</CardNumber><OperatorNotes>tab&#9;ok &#x1F691;</OperatorNotes></CallCard>');
    expect(card.fields.cardNumber).to.equal('&#0;&#1;7');
    expect(card.fields.operatorNotes).to.equal('tab\tok 🚑');
  });

  it('still reads a normal card with Cyrillic text and an emoji', () => {
    const card = parseCallCard('<CallCard><CardNumber>112-7</CardNumber><Caller><Name>Анна Ким</Name></Caller></CallCard>');
    expect(card.fields.cardNumber).to.equal('112-7');
    expect(card.fields.callerName).to.equal('Анна Ким');
  });
});
