import { describe, expect, it } from 'vitest';
import { rto, updateRtt, type RttSample } from '../../../../shared/dht/rtt';

describe('RTT estimator (RFC 6298)', () => {
  it('the first sample sets SRTT = R and RTTVAR = R/2', () => {
    const e: RttSample = { srtt: 0, rttvar: 0 };
    updateRtt(e, 100);
    expect(e).toEqual({ srtt: 100, rttvar: 50 });
    expect(rto(e, 0, 10_000)).toBe(300);
  });

  it('later samples: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| (with the old SRTT), then SRTT = 7/8 SRTT + 1/8 R', () => {
    const e: RttSample = { srtt: 0, rttvar: 0 };
    updateRtt(e, 100);
    updateRtt(e, 200);
    expect(e.rttvar).toBeCloseTo(0.75 * 50 + 0.25 * 100, 10); // 62.5
    expect(e.srtt).toBeCloseTo(0.875 * 100 + 0.125 * 200, 10); // 112.5
    updateRtt(e, 40);
    expect(e.rttvar).toBeCloseTo(0.75 * 62.5 + 0.25 * 72.5, 10); // 65
    expect(e.srtt).toBeCloseTo(0.875 * 112.5 + 0.125 * 40, 10); // 103.4375
    expect(rto(e, 0, 10_000)).toBeCloseTo(103.4375 + 4 * 65, 10);
  });

  it('converges to a steady RTT with the variance decaying toward 0', () => {
    const e: RttSample = { srtt: 0, rttvar: 0 };
    updateRtt(e, 500);
    for (let i = 0; i < 200; i++) updateRtt(e, 80);
    expect(e.srtt).toBeCloseTo(80, 3);
    expect(e.rttvar).toBeLessThan(0.01);
  });

  it('rto clamps to [min, max]', () => {
    expect(rto({ srtt: 10, rttvar: 1 }, 250, 5000)).toBe(250);
    expect(rto({ srtt: 4000, rttvar: 1000 }, 250, 5000)).toBe(5000);
    expect(rto({ srtt: 300, rttvar: 25 }, 250, 5000)).toBe(400);
  });
});
