import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../shared/env/rng';
import { generateKeyPair, nodeIdFromPublicKey, nodeIdHexFromPublicKey } from '../../../../shared/crypto/ed25519';
import { puzzleBitsOf } from '../../../../shared/dht/node-puzzle';
import {
  decodeEnvelope,
  envelopeTarget,
  OverlaySignaler,
  sealEnvelope,
  verifyEnvelope,
  type OverlayRoute,
} from '../../../../web/net/overlay-signaler';
import type { SignalPayload } from '../../../../web/net/signaler';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';

const SEED = 0x5eed;
const seed = (n: number) => new Uint8Array(32).fill(n);
const offer: SignalPayload = { sid: '0123456789abcdef', data: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } };

function pair() {
  const clock = new VirtualClock();
  clock.runFor(1_700_000_000_000);
  const rng = new SeededRng(SEED);
  const wire: Array<{ to: string; env: Uint8Array }> = [];
  const route: OverlayRoute = { forward: (to, env) => wire.push({ to, env }) };
  const a = new OverlaySignaler({ keys: generateKeyPair(seed(1)), route, clock, rng });
  const b = new OverlaySignaler({ keys: generateKeyPair(seed(2)), route, clock, rng });
  const got: Array<[string, SignalPayload]> = [];
  b.onSignal((from, s) => got.push([from, s]));
  return { clock, rng, wire, a, b, got };
}

describe('overlay signaling envelopes', () => {
  it('seals, routes by target and opens with the sender id bound to its key', () => {
    const { wire, a, b, got } = pair();
    a.send(b.id, offer);
    expect(wire).toHaveLength(1);
    expect(wire[0]!.to).toBe(b.id);
    expect(envelopeTarget(wire[0]!.env)).toBe(b.id);
    b.receive(wire[0]!.env);
    expect(got).toEqual([[a.id, offer]]);
    expect(a.id).toBe(nodeIdHexFromPublicKey(generateKeyPair(seed(1)).publicKey));
    expect(b.accepted).toBe(1);
  });

  it('rejects a replayed envelope', () => {
    const { wire, a, b, got } = pair();
    a.send(b.id, offer);
    b.receive(wire[0]!.env);
    b.receive(wire[0]!.env);
    expect(got).toHaveLength(1);
    expect(b.drops.replay).toBe(1);
  });

  it('rejects envelopes outside the time window (stale or from the future)', () => {
    const { clock, wire, a, b, got } = pair();
    a.send(b.id, offer);
    clock.runFor(60_001);
    b.receive(wire[0]!.env);
    const keys = generateKeyPair(seed(3));
    b.receive(sealEnvelope(keys, b.id, offer, clock.now() + 120_000, new Uint8Array(16)));
    expect(got).toEqual([]);
    expect(b.drops.stale).toBe(2);
  });

  it('with a puzzle difficulty, drops a validly signed envelope from an id that does not solve it', () => {
    const { clock, rng, wire, a } = pair();
    const weakKeys = generateKeyPair(seed(1)); // a's key
    const bits = puzzleBitsOf(nodeIdFromPublicKey(weakKeys.publicKey)) + 1;
    const strict = new OverlaySignaler(
      { keys: generateKeyPair(seed(2)), route: { forward: () => undefined }, clock, rng },
      { puzzleBits: bits },
    );
    const got: string[] = [];
    strict.onSignal((from) => got.push(from));
    a.send(strict.id, offer);
    strict.receive(wire[0]!.env);
    expect(got).toEqual([]);
    expect(strict.drops.weak_id).toBe(1);
    // One bit lower, the same id solves it: delivered.
    const lax = new OverlaySignaler(
      { keys: generateKeyPair(seed(2)), route: { forward: () => undefined }, clock, rng },
      { puzzleBits: bits - 1 },
    );
    lax.onSignal((from) => got.push(from));
    lax.receive(wire[0]!.env);
    expect(got).toEqual([a.id]);
  });

  it('rejects an envelope for another node', () => {
    const { wire, a, b, got } = pair();
    a.send(a.id, offer); // addressed to a, delivered to b
    b.receive(wire[0]!.env);
    expect(got).toEqual([]);
    expect(b.drops.wrong_target).toBe(1);
  });

  it('rejects any flipped bit in the signed part or the payload', () => {
    const { wire, a, b, got } = pair();
    a.send(b.id, offer);
    const env = wire[0]!.env;
    // Flip one bit in each signed field: from [1], ts low byte [60], nonce [70], sig [100],
    // payload [150]. (`to` is checked before the signature.)
    for (const i of [1, 60, 70, 100, 150]) {
      const bad = env.slice();
      bad[i]! ^= 0x01;
      b.receive(bad);
    }
    expect(got).toEqual([]);
    expect(b.drops.bad_signature).toBe(5);
    // The untouched envelope still verifies.
    expect(verifyEnvelope(decodeEnvelope(env)!)).toBe(true);
  });

  it('drops a validly signed but malformed payload', () => {
    const { clock, b, got } = pair();
    const keys = generateKeyPair(seed(4));
    const junk = { sid: 'not hex!', data: { type: 'offer', sdp: 1 } } as unknown as SignalPayload;
    b.receive(sealEnvelope(keys, b.id, junk, clock.now(), new Uint8Array(16).fill(7)));
    expect(got).toEqual([]);
    expect(b.drops.bad_payload).toBe(1);
  });

  it(`never throws on random or truncated bytes (seed ${SEED})`, () => {
    const { wire, a, b, rng } = pair();
    a.send(b.id, offer);
    const env = wire[0]!.env;
    for (let i = 0; i < 300; i++) {
      const junk = i % 2 ? rng.bytes(rng.int(400)) : env.slice(0, rng.int(env.length));
      if (i % 3 === 0 && junk.length > 0) junk[0] = 1;
      expect(() => b.receive(junk)).not.toThrow();
    }
    expect(b.accepted).toBe(0);
    expect(b.drops.malformed).toBeGreaterThan(0);
  });

  it('refuses to seal an oversized payload and counts it', () => {
    const { wire, a, b } = pair();
    a.send(b.id, { sid: '0123456789abcdef', data: { type: 'offer', sdp: 'x'.repeat(20_000) } });
    expect(wire).toHaveLength(0);
    expect(a.drops.too_large).toBe(1);
  });
});
