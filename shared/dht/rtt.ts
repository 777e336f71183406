/**
 * Round-trip estimation as TCP does it (RFC 6298): smoothed RTT and RTT variance per peer,
 * plus a node-wide estimator used for peers never measured. Timeouts derive from these instead of
 * a fixed value, so a dead peer costs about one RTO rather than seconds.
 */
export interface RttSample {
  srtt: number;
  rttvar: number;
}

export function updateRtt(est: RttSample, sampleMs: number): void {
  if (est.srtt === 0) {
    est.srtt = sampleMs;
    est.rttvar = sampleMs / 2;
    return;
  }
  est.rttvar = 0.75 * est.rttvar + 0.25 * Math.abs(est.srtt - sampleMs);
  est.srtt = 0.875 * est.srtt + 0.125 * sampleMs;
}

/** Retransmission timeout (ms): srtt + 4·rttvar, clamped. */
export function rto(est: RttSample, min: number, max: number): number {
  return Math.min(max, Math.max(min, est.srtt + 4 * est.rttvar));
}
