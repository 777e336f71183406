import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { channelBinding, sdpFingerprint } from '../../../../web/net/dtls-binding';

const FP_A = 'sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const FP_B = 'sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20';
const sdp = (fp: string) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', `a=fingerprint:${fp}`, 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', ''].join(
    '\r\n',
  );

describe('DTLS channel binding', () => {
  it('reads the fingerprint of an SDP, normalised (algorithm lower case, digest upper case)', () => {
    expect(sdpFingerprint(sdp(FP_A))).toBe(FP_A);
    expect(sdpFingerprint(sdp(FP_A.replace('sha-256', 'SHA-256').toLowerCase()))).toBe(FP_A);
  });

  it('refuses SDPs without a well-formed fingerprint', () => {
    expect(sdpFingerprint('v=0\r\ns=-\r\n')).toBeUndefined();
    expect(sdpFingerprint(sdp('sha-256'))).toBeUndefined();
    expect(sdpFingerprint(sdp('sha-256 not-hex'))).toBeUndefined();
    expect(sdpFingerprint(sdp(`${FP_A} extra`))).toBeUndefined();
    expect(sdpFingerprint(sdp(`sha-256 ${'AB:'.repeat(200)}AB`))).toBeUndefined();
  });

  it('is the same for both ends (local and remote swapped) and 32 bytes', () => {
    const ab = channelBinding(FP_A, FP_B);
    expect(ab.length).toBe(32);
    expect(bytesToHex(channelBinding(FP_B, FP_A))).toBe(bytesToHex(ab));
  });

  it('differs when a relay in the middle shows either end another certificate', () => {
    const FP_M = FP_B.replace('01:', '02:');
    const honest = bytesToHex(channelBinding(FP_A, FP_B));
    expect(bytesToHex(channelBinding(FP_A, FP_M))).not.toBe(honest);
    expect(bytesToHex(channelBinding(FP_M, FP_B))).not.toBe(honest);
  });

  it('is empty unless both fingerprints are known', () => {
    expect(channelBinding(undefined, FP_B).length).toBe(0);
    expect(channelBinding(FP_A, undefined).length).toBe(0);
  });
});
