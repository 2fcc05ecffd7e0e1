import { expect } from 'chai';
import { inProcessCodec, parseWavHeader, type WavInfo } from '../../../src/features/media/wav';
import { encodeMuLawWav } from '../../../src/features/media/synth';

/** A WAV from chunks: [id, body] pairs after RIFF/WAVE, with or without pad bytes after odd chunks. */
function riff(chunks: Array<[string, Buffer]>, o: { magic?: string; pad?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [id, body] of chunks) {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    parts.push(head, body);
    if (body.length & 1 && o.pad !== false) parts.push(Buffer.alloc(1));
  }
  const all = Buffer.concat(parts);
  const top = Buffer.alloc(12);
  top.write(o.magic ?? 'RIFF', 0, 'latin1');
  top.writeUInt32LE(all.length + 4, 4);
  top.write('WAVE', 8, 'latin1');
  return Buffer.concat([top, all]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra?: Buffer): Buffer {
  const b = Buffer.alloc(16);
  const align = (bits / 8) * channels;
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * align, 8);
  b.writeUInt16LE(align, 12);
  b.writeUInt16LE(bits, 14);
  return extra ? Buffer.concat([b, extra]) : b;
}

/** The 24 extra bytes of WAVE_FORMAT_EXTENSIBLE with a sub-format code. */
function extensible(subFormat: number, bits: number): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16LE(22, 0); // cbSize
  b.writeUInt16LE(bits, 2); // valid bits
  b.writeUInt32LE(3, 4); // channel mask
  b.writeUInt16LE(subFormat, 8);
  Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, 10);
  return b;
}

const parse = (b: Buffer, size = b.length) => {
  const r = parseWavHeader(b, size);
  if (!r.ok) throw new Error(`not parsed: ${r.reason}`);
  return r.wav;
};

describe('media/wav parseWavHeader()', () => {
  it('reads a mu-law stereo WAV with a fact chunk, where its samples start and how many there are', () => {
    const wav = encodeMuLawWav([new Int16Array(800), new Int16Array(800)], 8000);
    const w = parse(wav);
    expect(w).to.include({ formatTag: 7, codec: 'pcm_mulaw', channels: 2, sampleRate: 8000, blockAlign: 2, dataBytes: 1600, declaredDataBytes: 1600, truncated: false });
    expect(wav.toString('latin1', w.dataOffset - 8, w.dataOffset - 4)).to.equal('data');
  });

  it('steps over odd-sized chunks whether or not the writer added the pad byte', () => {
    const data = Buffer.alloc(100, 0xff);
    for (const pad of [true, false]) {
      const w = parse(riff([['fmt ', fmt(6, 1, 8000, 8)], ['LIST', Buffer.from('INFOx')], ['data', data]], { pad }));
      expect(w, `pad ${pad}`).to.include({ codec: 'pcm_alaw', dataBytes: 100 });
    }
  });

  it('resolves WAVE_FORMAT_EXTENSIBLE to its sub-format, and leaves an unknown one to ffmpeg', () => {
    expect(parse(riff([['fmt ', fmt(0xfffe, 2, 16000, 16, extensible(1, 16))], ['data', Buffer.alloc(64)]]))).to.include({ formatTag: 1, extensible: true, codec: 'pcm_s16le' });
    expect(parse(riff([['fmt ', fmt(0xfffe, 1, 8000, 8, extensible(7, 8))], ['data', Buffer.alloc(64)]]))).to.include({ formatTag: 7, codec: 'pcm_mulaw' });
    const odd = extensible(1, 16);
    odd[20] = 0x42; // not the KSDATAFORMAT GUID tail
    expect(parse(riff([['fmt ', fmt(0xfffe, 1, 8000, 16, odd)], ['data', Buffer.alloc(64)]]))).to.include({ formatTag: 0xfffe, codec: null });
  });

  it('reads a streaming header (data size 0 or 0xFFFFFFFF) to the end of the file, whole sample frames only', () => {
    for (const size of [0, 0xffffffff]) {
      const wav = riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', Buffer.alloc(0)]]);
      const full = Buffer.concat([wav, Buffer.alloc(4003)]);
      full.writeUInt32LE(size, wav.length - 4);
      expect(parse(full), `size ${size}`).to.include({ declaredDataBytes: null, dataBytes: 4000, truncated: false });
    }
  });

  it('says a file cut short is truncated and counts only what is there', () => {
    const wav = riff([['fmt ', fmt(7, 2, 8000, 8)], ['data', Buffer.alloc(16000)]]);
    const cut = wav.subarray(0, wav.length - 8001);
    expect(parse(cut)).to.include({ declaredDataBytes: 16000, dataBytes: 7998, truncated: true });
  });

  it('takes the 64-bit data size of an RF64 file from its ds64 chunk', () => {
    const ds64 = Buffer.alloc(28);
    ds64.writeUInt32LE(600, 8); // data size, low 32 bits
    const wav = riff([['ds64', ds64], ['fmt ', fmt(7, 1, 8000, 8)], ['data', Buffer.alloc(600)]], { magic: 'RF64' });
    wav.writeUInt32LE(0xffffffff, wav.length - 600 - 4);
    expect(parse(wav)).to.include({ declaredDataBytes: 600, dataBytes: 600, codec: 'pcm_mulaw' });
  });

  it('tells what is not a WAV, a WAV without format or data, and a header longer than the bytes given', () => {
    expect(parseWavHeader(Buffer.from('ID3\u0004 this is an mp3'), 20)).to.deep.equal({ ok: false, reason: 'notWav' });
    expect(parseWavHeader(riff([['data', Buffer.alloc(10)]]), 30)).to.deep.equal({ ok: false, reason: 'malformed' });
    const long = riff([['JUNK', Buffer.alloc(5000)], ['fmt ', fmt(1, 1, 8000, 16)], ['data', Buffer.alloc(10)]]);
    expect(parseWavHeader(long.subarray(0, 1024), long.length)).to.deep.equal({ ok: false, reason: 'needMore' });
    expect(parse(long)).to.include({ codec: 'pcm_s16le', dataBytes: 10 });
  });
});

describe('media/wav inProcessCodec()', () => {
  const f = (o: Partial<WavInfo>) => ({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, blockAlign: 2, ...o });
  it('decodes G.711 and 8/16-bit PCM itself and leaves the rest to ffmpeg', () => {
    expect(inProcessCodec(f({}))).to.equal('pcm_s16le');
    expect(inProcessCodec(f({ bitsPerSample: 8, blockAlign: 1 }))).to.equal('pcm_u8');
    expect(inProcessCodec(f({ formatTag: 6, bitsPerSample: 8, blockAlign: 1 }))).to.equal('pcm_alaw');
    expect(inProcessCodec(f({ formatTag: 7, bitsPerSample: 8, blockAlign: 1 }))).to.equal('pcm_mulaw');
    expect(inProcessCodec(f({ bitsPerSample: 24, blockAlign: 3 }))).to.equal(null);
    expect(inProcessCodec(f({ formatTag: 3, bitsPerSample: 32, blockAlign: 4 }))).to.equal(null);
    expect(inProcessCodec(f({ formatTag: 0x31 }))).to.equal(null); // GSM
    expect(inProcessCodec(f({ blockAlign: 3 }))).to.equal(null); // inconsistent header
  });
});
