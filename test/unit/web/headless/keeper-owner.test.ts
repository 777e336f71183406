import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../../../../shared/chat/address';
import { ChatError } from '../../../../shared/chat/errors';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { publicKeyOf } from '../../../../shared/crypto/ed25519';
import { SeededRng } from '../../../../shared/env/rng';
import { keeperOwner } from '../../../../web/headless/peer';

const rng = new SeededRng(4);
const ik = publicKeyOf(rng.bytes(32));

describe('--keep-for', () => {
  it('takes the owner address link or its identity key', () => {
    const link = encodeAddress({ identityKey: ik, inviteSecret: rng.bytes(16), name: 'Bob' }, 'https://chat.example.org');
    expect(keeperOwner(link)).toBe(bytesToHex(ik));
    expect(keeperOwner(` ${bytesToHex(ik).toUpperCase()} `)).toBe(bytesToHex(ik));
  });

  it('refuses anything else with a coded error', () => {
    expect(() => keeperOwner('https://chat.example.org/#add/v1.garbage')).toThrow(ChatError);
    expect(() => keeperOwner('abc')).toThrow(ChatError);
  });
});
