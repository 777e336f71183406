/**
 * The messages instances exchange over the bus (signal-server/cluster/wire.ts): each encodes and
 * decodes back to itself, and anything malformed decodes to null rather than throwing.
 */
import { describe, expect, it } from 'vitest';
import { claimInstance, decodeBus, encodeDisplace, encodeError, encodeRelay } from '../../../signal-server/cluster/wire';

const TO = 'a'.repeat(40);
const FROM = 'b'.repeat(40);
const INST = '0123456789abcdef';

describe('cluster bus messages', () => {
  it('round-trip: relay (with and without a ref), error, displace', () => {
    const frame = '{"t":"relay","from":"bbbb","payload":{"sdp":"v=0 x y"}}';
    expect(decodeBus(encodeRelay(TO, FROM, INST, 7, frame))).toEqual({ t: 'R', to: TO, from: FROM, origin: INST, ref: 7, frame });
    expect(decodeBus(encodeRelay(TO, FROM, INST, undefined, frame))).toMatchObject({ ref: undefined, frame });
    expect(decodeBus(encodeError(FROM, TO, 'TARGET_BUSY', 0))).toEqual({ t: 'E', from: FROM, target: TO, code: 'TARGET_BUSY', ref: 0 });
    expect(decodeBus(encodeError(FROM, TO, 'UNKNOWN_TARGET', undefined))).toMatchObject({ code: 'UNKNOWN_TARGET', ref: undefined });
    expect(decodeBus(encodeDisplace(TO, `${INST}.1z`))).toEqual({ t: 'D', nodeId: TO, claim: `${INST}.1z` });
    expect(claimInstance(`${INST}.1z`)).toBe(INST);
  });

  it('garbage decodes to null', () => {
    for (const bad of [
      '',
      'X',
      `R${TO}`,
      `R${TO}${FROM}${INST}`,
      `R${TO}${FROM}nothex0000000000 1 {}`,
      `R${TO}${FROM}${INST} 1x {}`,
      `R${'g'.repeat(40)}${FROM}${INST} 1 {}`,
      `E${FROM}${TO}BAD_SIGNATURE 1`,
      `E${FROM}${TO}TARGET_BUSY -1`,
      `D${TO}`,
      `D${TO}not-a-claim`,
    ]) {
      expect(decodeBus(bad), bad).toBeNull();
    }
    expect(claimInstance('')).toBe('');
  });
});
