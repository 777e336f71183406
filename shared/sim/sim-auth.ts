/**
 * NodeAuth for the simulator: every node gets a random 32-byte "public key" registered with its id
 * and a secret; a signature is SHA-256(secret ‖ message) twice over (64 bytes), and verifying asks
 * the keyring. A node can only sign with its own secret, which is the property the tunnel relies
 * on (nobody signs in another node's name), at a microsecond instead of Ed25519's 1–2 ms, so a
 * 1,000-node simulation is not spent in signatures. Unit tests use Ed25519 (dht/node-auth.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '../crypto/bytes';
import type { NodeAuth } from '../dht/node-auth';
import type { NodeId } from '../dht/node-id';
import type { Rng } from '../env/rng';

export class SimKeyring {
  private readonly byKey = new Map<string, { id: NodeId; secret: Uint8Array }>();

  constructor(private readonly rng: Rng) {}

  /** A fresh key for node `id`. */
  auth(id: NodeId): NodeAuth {
    const publicKey = this.rng.bytes(32);
    const secret = this.rng.bytes(32);
    this.byKey.set(bytesToHex(publicKey), { id, secret });
    const mac = (s: Uint8Array, m: Uint8Array) => {
      const h = sha256(concatBytes(s, m));
      return concatBytes(h, sha256(h));
    };
    return {
      publicKey,
      sign: (m) => mac(secret, m),
      verify: (sig, m, pk) => {
        const k = pk.length === 32 ? this.byKey.get(bytesToHex(pk)) : undefined;
        if (!k || sig.length !== 64) return false;
        const want = mac(k.secret, m);
        for (let i = 0; i < 64; i++) if (want[i] !== sig[i]) return false;
        return true;
      },
      idOf: (pk) => this.byKey.get(bytesToHex(pk))?.id ?? new Uint8Array(20),
    };
  }
}
