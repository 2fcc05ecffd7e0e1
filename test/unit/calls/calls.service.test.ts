import { expect } from 'chai';
import { cardRows, cleanOriginalName, generateExternalId, repairLatin1FileName, uploadResponseStatus } from '../../../src/features/calls/calls.service';

describe('calls service helpers', () => {
  it('keeps a client file name as a clean label', () => {
    expect(cleanOriginalName('../../etc/passwd')).to.equal('../../etc/passwd');
    expect(cleanOriginalName('a\u0000b\nc.wav')).to.equal('abc.wav');
    expect(cleanOriginalName('x'.repeat(300))).to.have.length(255);
    expect(cleanOriginalName('')).to.equal(null);
  });

  it('repairs a UTF-8 file name that arrived read as latin1, and leaves real latin1 names alone', () => {
    const mangled = Buffer.from('Звонок.wav', 'utf8').toString('latin1');
    expect(repairLatin1FileName(mangled)).to.equal('Звонок.wav');
    expect(repairLatin1FileName('café.wav')).to.equal('café.wav');
    expect(repairLatin1FileName('Звонок.wav')).to.equal('Звонок.wav');
    expect(cleanOriginalName(mangled)).to.equal('Звонок.wav');
  });

  it('answers an upload of one file with its own status, and of several with 200', () => {
    expect(uploadResponseStatus([{ outcome: 'created' }])).to.equal(201);
    expect(uploadResponseStatus([{ outcome: 'duplicate' }])).to.equal(200);
    expect(uploadResponseStatus([{ outcome: 'rejected', status: 413 }])).to.equal(413);
    expect(uploadResponseStatus([{ outcome: 'rejected', status: 422 }, { outcome: 'created' }])).to.equal(200);
  });

  it('generates upload ids from the Tashkent date', () => {
    expect(generateExternalId(() => new Date('2026-11-24T20:30:00Z'), () => 'abcdef012345')).to.equal('upload-20261125-abcdef012345');
  });

  it('lists card fields in mapping order with mandatory and missing marks', () => {
    const rows = cardRows({ fields: { a: 'x', b: ['102', '103'], c: null }, missingFields: ['c'] }, ['a', 'b', 'c'], ['b', 'c']);
    expect(rows).to.deep.equal([
      { name: 'a', value: 'x', mandatory: false, missing: false },
      { name: 'b', value: '102, 103', mandatory: true, missing: false },
      { name: 'c', value: '', mandatory: true, missing: true },
    ]);
  });
});
