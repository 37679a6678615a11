import { describe, expect, it } from 'vitest';
import { parseAttributes, parsePlaylist, pickVariant, type MasterPlaylist, type MediaPlaylist } from './m3u8.js';

const base = new URL('http://127.0.0.1:8080/live/master.m3u8?token=1');

describe('m3u8', () => {
  it('parses a master playlist with quoted attributes and resolves URIs', () => {
    const text = [
      '\uFEFF#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"',
      'mid/index.m3u8',
      '# a comment',
      '#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x120',
      '/abs/low.m3u8',
      '#EXT-X-STREAM-INF:CODECS="avc1",BANDWIDTH=2000000',
      'https://cdn.example/high.m3u8',
      '',
    ].join('\r\n');
    const p = parsePlaylist(text, base) as MasterPlaylist;
    expect(p.kind).toBe('master');
    expect(p.variants).toEqual([
      { uri: 'http://127.0.0.1:8080/live/mid/index.m3u8', bandwidth: 800000, averageBandwidth: 700000, resolution: '640x360', codecs: 'avc1.4d401e,mp4a.40.2' },
      { uri: 'http://127.0.0.1:8080/abs/low.m3u8', bandwidth: 200000, resolution: '160x120' },
      { uri: 'https://cdn.example/high.m3u8', bandwidth: 2000000, codecs: 'avc1' },
    ]);
    expect(pickVariant(p.variants, 0).bandwidth).toBe(200000);
    expect(pickVariant(p.variants, 1).bandwidth).toBe(2000000);
    expect(pickVariant(p.variants, 2, () => 0).bandwidth).toBe(800000);
    expect(pickVariant(p.variants, 2, () => 0.99).bandwidth).toBe(2000000);
  });

  it('parses a VOD media playlist', () => {
    const text = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:2.000,
seg7.ts
#EXTINF:1.5,title text
#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z
seg8.ts
#EXT-X-ENDLIST
`;
    const p = parsePlaylist(text, base) as MediaPlaylist;
    expect(p).toEqual({
      kind: 'media',
      targetDuration: 2,
      mediaSequence: 7,
      endList: true,
      playlistType: 'VOD',
      segments: [
        { uri: 'http://127.0.0.1:8080/live/seg7.ts', duration: 2, sequence: 7, encryption: 'NONE' },
        { uri: 'http://127.0.0.1:8080/live/seg8.ts', duration: 1.5, sequence: 8, encryption: 'NONE' },
      ],
    });
  });

  it('parses a live playlist with keys and an init section', () => {
    const text = `#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="init.mp4"
#EXT-X-KEY:METHOD=AES-128,URI="key.bin"
#EXTINF:4,
a.m4s
#EXT-X-KEY:METHOD=NONE
#EXTINF:4,
b.m4s
`;
    const p = parsePlaylist(text, base) as MediaPlaylist;
    expect(p.endList).toBe(false);
    expect(p.mediaSequence).toBe(0);
    expect(p.segments.map((s) => [s.sequence, s.encryption, s.map])).toEqual([
      [0, 'AES-128', 'http://127.0.0.1:8080/live/init.mp4'],
      [1, 'NONE', 'http://127.0.0.1:8080/live/init.mp4'],
    ]);
  });

  const broken: Array<[string, string, RegExp]> = [
    ['not a playlist', '<html>404</html>', /#EXTM3U/],
    ['empty', '', /#EXTM3U/],
    ['no target duration', '#EXTM3U\n#EXTINF:1,\na.ts\n', /EXT-X-TARGETDURATION/],
    ['bad duration', '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:abc,\na.ts\n', /line 3: EXTINF/],
    ['missing segment URI', '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n', /EXTINF without a URI/],
    ['bare URI', '#EXTM3U\n#EXT-X-TARGETDURATION:1\na.ts\n', /line 3: URI without/],
    ['variant without bandwidth', '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8\n', /BANDWIDTH/],
    ['mixed', '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXTINF:1,\na.ts\n', /mixes/],
    ['bad target duration', '#EXTM3U\n#EXT-X-TARGETDURATION:x\n', /TARGETDURATION/],
  ];
  for (const [name, text, error] of broken) {
    it(`reports a broken playlist: ${name}`, () => {
      const p = parsePlaylist(text, base);
      expect(p.kind).toBe('error');
      expect(p.kind === 'error' ? p.error : '').toMatch(error);
    });
  }

  it('reads attribute lists', () => {
    expect([...parseAttributes('A=1,B="x,y",C=0x1F')]).toEqual([
      ['A', '1'],
      ['B', 'x,y'],
      ['C', '0x1F'],
    ]);
  });
});
