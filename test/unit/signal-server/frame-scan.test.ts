/** The relay path's scanner against JSON.parse on known cases (the fuzz test compares them on 10^5 mutated frames). */
import { describe, expect, it } from 'vitest';
import { scanFrame } from '../../../signal-server/frame-scan';

describe('scanFrame', () => {
  it('accepts exactly what JSON.parse accepts as an object, and gives the members as written', () => {
    const text = ' { "t" : "relay" , "payload":[1e20, -0.5E-3, "a\\"b\\u00e9", true, null, {}] , "x\\u0041": 1 } ';
    const r = scanFrame(text, 8);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.members.get('payload')!;
    expect(text.slice(p.start, p.end)).toBe('[1e20, -0.5E-3, "a\\"b\\u00e9", true, null, {}]');
    expect(r.members.has('xA')).toBe(true);
    for (const bad of [
      '',
      '{',
      '{"a":}',
      '{"a":1,}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":"\\x"}',
      '{"a":"\u0001"}',
      '{"a":tru}',
      '{"a":1}x',
      "{'a':1}",
      '{"a":-}',
      '{"a":1e}',
      '{"a":"\\u12"}',
    ]) {
      expect(scanFrame(bad, 8).ok, bad).toBe(false);
      expect(() => JSON.parse(bad), bad).toThrow();
    }
    expect(scanFrame('[1]', 8)).toEqual({ ok: false, detail: 'not a JSON object' });
    expect(scanFrame('"s"', 8)).toEqual({ ok: false, detail: 'not a JSON object' });
  });

  it('refuses nesting past maxDepth without recursing into it', () => {
    const deep = (n: number): string => `{"p":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect(scanFrame(deep(32), 32).ok).toBe(true);
    expect(scanFrame(deep(33), 32)).toEqual({ ok: false, detail: 'nested deeper than 32' });
    expect(scanFrame(deep(200_000), 32).ok).toBe(false);
  });
});
