import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  CALL_CARD_FIELDS,
  CALL_CARD_MANDATORY_FIELDS,
  CallCardError,
  cardCompleteness,
  decodeXmlReferences,
  parseCallCard,
} from '../../../src/features/calls/call-card';

const SAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'call-card-sample.xml'));

function refusal(input: string | Buffer, opts?: Parameters<typeof parseCallCard>[1]): CallCardError {
  try {
    parseCallCard(input, opts);
  } catch (e) {
    if (e instanceof CallCardError) return e;
    throw e;
  }
  throw new Error('expected the card to be refused');
}

describe('call card parsing (A1.02.3 XML)', () => {
  it('reads every mapped field of the documented sample card, which is complete', () => {
    const card = parseCallCard(SAMPLE);
    expect(card.fields).to.deep.equal({
      cardNumber: '112-TK-2026-004217',
      createdAt: '2026-11-24T09:15:42+05:00',
      operatorCode: 'OP-105',
      callerName: 'Mavluda Ergasheva',
      callerPhone: '+998901234567',
      incidentType: 'medical',
      incidentDescription: "Keksa erkak hushidan ketgan, nafas olyapti; qo'shnisi qo'ng'iroq qildi.",
      victims: 1,
      regionCode: 'TK',
      address: "Toshkent shahri, Chilonzor tumani, Bunyodkor ko'chasi, 12-uy, 45-xonadon",
      latitude: 41.2856,
      longitude: 69.2034,
      servicesRouted: ['103'],
      operatorNotes: "Chaqiruvchiga bemorni yonboshlatib yotqizish aytildi; brigada yo'lda, 8 daqiqa.",
    });
    expect(card.completeness).to.equal(1);
    expect(card.missingFields).to.deep.equal([]);
    expect(card.xml).to.equal(SAMPLE.toString('utf8'));
  });

  it('maps every field of the mapping, and every mandatory field is a mapped one', () => {
    expect(Object.keys(parseCallCard(SAMPLE).fields)).to.deep.equal(Object.keys(CALL_CARD_FIELDS));
    for (const f of CALL_CARD_MANDATORY_FIELDS) expect(CALL_CARD_FIELDS).to.have.property(f);
  });

  it('lists the mandatory fields a card leaves out or leaves empty, and scores completeness by them', () => {
    const xml = SAMPLE.toString('utf8').replace(/<Address>[^<]*<\/Address>/, '<Address>   </Address>').replace(/<OperatorNotes>[^<]*<\/OperatorNotes>/, '');
    const card = parseCallCard(xml);
    expect(card.missingFields).to.deep.equal(['address', 'operatorNotes']);
    expect(card.completeness).to.equal(0.75);
  });

  it('keeps every routed service, and counts an unreadable coordinate as invalid and missing', () => {
    const card = parseCallCard('<CallCard><Dispatch><Service code="102"/><Service code="103"/><Service code="102"/></Dispatch><Location><Coordinates lat="north" lon="69.2"/></Location></CallCard>');
    expect(card.fields.servicesRouted).to.deep.equal(['102', '103']);
    expect(card.fields.latitude).to.equal(null);
    expect(card.fields.longitude).to.equal(69.2);
    expect(card.invalidFields).to.deep.equal(['latitude']);
    expect(card.missingFields).to.include('latitude');
  });

  it('refuses a coordinate outside the globe', () => {
    expect(parseCallCard('<CallCard><Location><Coordinates lat="123" lon="69"/></Location></CallCard>').invalidFields).to.deep.equal(['latitude']);
  });

  it('decodes the predefined entities and character references, once, without expanding anything else', () => {
    const card = parseCallCard('<CallCard><OperatorNotes>A &amp; B &lt;tez&gt; &#1058;&#x430; &amp;lt;</OperatorNotes></CallCard>');
    expect(card.fields.operatorNotes).to.equal('A & B <tez> Та &lt;');
    expect(decodeXmlReferences('&unknown; &#0; &#xD800;')).to.equal('&unknown; &#0; &#xD800;');
  });

  it('refuses an entity-expansion bomb ("billion laughs") at once, before parsing', () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lol}\n]>\n<CallCard><CardNumber>&lol9;</CardNumber></CallCard>`;
    const started = process.hrtime.bigint();
    const e = refusal(bomb);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(e.key).to.equal('calls.card.doctypeForbidden');
    expect(ms).to.be.below(50);
  });

  it('refuses an external entity (XXE) and any DOCTYPE, in any letter case', () => {
    expect(refusal('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><CallCard>&xxe;</CallCard>').key).to.equal('calls.card.doctypeForbidden');
    expect(refusal('<!doctype CallCard><CallCard/>').key).to.equal('calls.card.doctypeForbidden');
    expect(refusal('<CallCard><!ENTITY a "b"></CallCard>').key).to.equal('calls.card.doctypeForbidden');
  });

  it('refuses malformed XML with the line and column', () => {
    const e = refusal('<CallCard>\n  <CardNumber>1</CardNumber>\n  <Incident><Type>fire</Incident>\n</CallCard>');
    expect(e.key).to.equal('calls.card.malformed');
    expect(e.params.line).to.equal(3);
  });

  it('refuses an empty card, a card of another root, one too large, and one that is not UTF-8', () => {
    expect(refusal('  \n').key).to.equal('calls.card.empty');
    expect(refusal('<Invoice><Total>5</Total></Invoice>').params).to.deep.equal({ expected: 'CallCard', found: 'Invoice' });
    expect(refusal(`<CallCard><OperatorNotes>${'x'.repeat(2000)}</OperatorNotes></CallCard>`, { maxBytes: 1024 }).key).to.equal('calls.card.tooLarge');
    expect(refusal(Buffer.from([0x3c, 0x43, 0xff, 0xfe, 0x3e])).key).to.equal('calls.card.notUtf8');
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(parseCallCard(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), SAMPLE])).fields.cardNumber).to.equal('112-TK-2026-004217');
  });

  it('works with another mapping and another list of mandatory fields', () => {
    const card = parseCallCard('<Karta><Raqam>7</Raqam><Manzil/></Karta>', {
      fields: { number: { path: 'Karta/Raqam' }, address: { path: 'Karta/Manzil' } },
      mandatory: ['number', 'address'],
    });
    expect(card.fields).to.deep.equal({ number: '7', address: null });
    expect(card.missingFields).to.deep.equal(['address']);
    expect(card.completeness).to.equal(0.5);
  });

  it('completeness is the share of mandatory fields filled, always between 0 and 1', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.oneof(fc.constant(null), fc.constant(''), fc.string({ minLength: 1 }), fc.constant([] as string[]))), (mandatory, fields) => {
        const list: string[] = [...new Set(mandatory)];
        const { completeness, missing } = cardCompleteness(fields, list);
        expect(completeness).to.be.within(0, 1);
        expect(missing.every((m) => list.includes(m))).to.equal(true);
        if (list.length) expect(completeness).to.be.closeTo((list.length - missing.length) / list.length, 0.001);
      }),
    );
  });
});
