/**
 * BLAKE2b for the Noise handshake (`Noise_*_25519_ChaChaPoly_BLAKE2b`, HASHLEN 64). Kept apart from
 * ./noise-state.ts so that bundles using only the default SHA256 do not carry BLAKE2b.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { noiseHash, type NoiseHash } from './noise-state';

export const BLAKE2b: NoiseHash = noiseHash('BLAKE2b', blake2b);
