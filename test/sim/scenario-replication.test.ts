import { describe, expect, it } from 'vitest';
import { markdownTable, replicationGrid, runReplication } from './scenarios/replication';
import { scatterPlot, ticks } from '../../shared/sim/svg-plot';

describe('scenario: replication sweep', () => {
  it('the default grid crosses k and republish interval with each session length', () => {
    const g = replicationGrid({ seed: 1 });
    expect(g.length).toBe(27);
    expect(new Set(g.map((x) => `${x.k}/${x.republishMin}/${x.sessionMin}`)).size).toBe(g.length);
    expect(replicationGrid({ seed: 1, full: true, ks: [4, 8], republishMins: [5, 10], sessionMins: [10] }).length).toBe(4);
  });

  it('a tiny sweep yields rows, a markdown table and an SVG', () => {
    const seed = 4;
    const r = runReplication({ seed, nodes: 30, hours: 1, ks: [4], republishMins: [10], sessionMins: [30], baseK: 4 });
    expect(r.rows.length).toBe(1);
    expect(r.rows[0]!.gets, `seed ${seed}`).toBeGreaterThan(100);
    expect(r.rows[0]!.availability, `seed ${seed}`).toBeGreaterThanOrEqual(0.95);
    expect(r.table.split('\n').length).toBe(4);
    expect(r.svg.startsWith('<svg')).toBe(true);
    expect(r.svg).toContain('median session 30 min');
    expect(markdownTable([])).toContain('| median session');
  });

  it('svg plot: round ticks, escaped text, one circle per point', () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    const svg = scatterPlot(
      [
        {
          name: 'a<b',
          points: [
            { x: 1, y: 2 },
            { x: 3, y: 4, label: 'p' },
          ],
          line: true,
        },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y' },
    );
    expect(svg).toContain('a&lt;b');
    expect(svg.match(/<circle /g)!.length).toBe(3); // 2 points + legend
    expect(svg).toContain('<path');
  });
});
