import { expect } from 'chai';
import { makeZip } from './zip';
import { cleanOriginalName, contentDisposition, isPlainUtf8Text, sniffMaterial, zipEntryNames } from '../../../src/features/training/materials';

const CT = { '[Content_Types].xml': '<Types/>' };

describe('training materials: what a file is, by its content', () => {
  it('recognises a PDF, a PNG and a JPEG by their first bytes', () => {
    expect(sniffMaterial(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj', 'latin1'))).to.equal('pdf');
    expect(sniffMaterial(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).to.equal('png');
    expect(sniffMaterial(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]))).to.equal('jpeg');
  });

  it('tells Word, PowerPoint and Excel documents apart by the parts inside the ZIP', () => {
    expect(sniffMaterial(makeZip({ ...CT, 'word/document.xml': '<w/>' }))).to.equal('docx');
    expect(sniffMaterial(makeZip({ ...CT, 'ppt/presentation.xml': '<p/>' }))).to.equal('pptx');
    expect(sniffMaterial(makeZip({ ...CT, 'xl/workbook.xml': '<x/>' }))).to.equal('xlsx');
  });

  it('refuses any other ZIP (an archive, an .odt, a bare content-types file)', () => {
    expect(sniffMaterial(makeZip({ 'evil.exe': 'MZ', 'readme.txt': 'hi' }))).to.equal(null);
    expect(sniffMaterial(makeZip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<x/>' }))).to.equal(null);
    expect(sniffMaterial(makeZip({ ...CT }))).to.equal(null);
    // A truncated ZIP: the central directory cannot be read.
    expect(sniffMaterial(makeZip({ ...CT, 'word/document.xml': '<w/>' }).subarray(0, 40))).to.equal(null);
  });

  it('reads entry names from the central directory', () => {
    expect(zipEntryNames(makeZip({ a: '1', 'dir/b.xml': '2' }))).to.deep.equal(['a', 'dir/b.xml']);
    expect(zipEntryNames(Buffer.from('not a zip at all, just text'))).to.equal(null);
  });

  it('accepts UTF-8 text in Uzbek and Russian, with tabs, line breaks and a BOM', () => {
    expect(sniffMaterial(Buffer.from("Manzilni aniqlash bo'yicha eslatma\r\n\t1. Ko'cha\nЎзбекистон, Тошкент\f", 'utf8'))).to.equal('text');
    expect(isPlainUtf8Text(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Salom')]))).to.equal(true);
  });

  it('refuses binary files and text that is not UTF-8, whatever their name would say', () => {
    expect(sniffMaterial(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]))).to.equal(null); // MZ: a Windows program
    expect(sniffMaterial(Buffer.from('caf\xe9 au lait', 'latin1'))).to.equal(null); // Latin-1, not UTF-8
    expect(sniffMaterial(Buffer.from('text with a \u0000 NUL', 'utf8'))).to.equal(null);
    expect(sniffMaterial(Buffer.from('escape \u001b[31m', 'utf8'))).to.equal(null);
    expect(sniffMaterial(Buffer.alloc(0))).to.equal(null);
  });
});

describe('training materials: the original name', () => {
  it('keeps only the last part of a path and drops control characters', () => {
    expect(cleanOriginalName('../../etc/passwd')).to.equal('passwd');
    expect(cleanOriginalName('C:\\Users\\x\\Taqdimot.pptx')).to.equal('Taqdimot.pptx');
    expect(cleanOriginalName('bad\r\nHeader: injected.pdf')).to.equal('badHeader: injected.pdf');
    expect(cleanOriginalName('...hidden')).to.equal('hidden');
    expect(cleanOriginalName('   ')).to.equal('material');
    expect(cleanOriginalName('a'.repeat(300))).to.have.length(200);
  });

  it('sends it back as an ASCII fallback plus the exact UTF-8 name, so quotes and semicolons cannot break the header', () => {
    expect(contentDisposition('Ўқув режа "1"; final.pdf')).to.equal(
      `attachment; filename="____ ____ _1_; final.pdf"; filename*=UTF-8''%D0%8E%D2%9B%D1%83%D0%B2%20%D1%80%D0%B5%D0%B6%D0%B0%20%221%22%3B%20final.pdf`,
    );
    expect(contentDisposition("Manzil bo'yicha eslatma.txt")).to.equal(`attachment; filename="Manzil bo'yicha eslatma.txt"; filename*=UTF-8''Manzil%20bo%27yicha%20eslatma.txt`);
    expect(contentDisposition('x\r\nSet-Cookie: a=b')).to.not.match(/[\r\n]/);
  });
});
