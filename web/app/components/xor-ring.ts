/**
 * The node's place in the id space, drawn: the ring is every possible node id, turned so that
 * ours is at the top. Each k-bucket covers one arc (level L: the ids sharing exactly L leading bits
 * with ours, 1/2^(L+1) of the ring), shaded by how full it is; dots are our routing contacts
 * (filled: connected now; ringed: a kept link). The nearest buckets are too thin to see here, so
 * a bar per bucket sits beside the ring.
 */
import { LitElement, css, html, svg } from 'lit';
import type { NetworkSnapshot } from '../network-snapshot';
import { controls } from '../styles';

const C = 150;
const R = 112;
const BAND = 128;
const TWO52 = 2 ** 52;

/** An id's place on the ring, in turns (0..1), from its first 52 bits. */
const turns = (hex: string): number => Number.parseInt(hex.slice(0, 13), 16) / TWO52;

function point(t: number, r: number): [number, number] {
  const a = t * 2 * Math.PI - Math.PI / 2;
  return [C + r * Math.cos(a), C + r * Math.sin(a)];
}

function arc(t0: number, t1: number, r: number): string {
  const [x0, y0] = point(t0, r);
  const [x1, y1] = point(t1, r);
  const large = t1 - t0 > 0.5 ? 1 : 0;
  return `M${x0.toFixed(2)} ${y0.toFixed(2)}A${r} ${r} 0 ${large} 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

/** Level L's arc relative to us (turns from our position): the sibling subtree at bit L. */
export function levelArc(self: number, level: number): [number, number] {
  const scale = 2 ** level;
  const prefix = Math.floor(self * scale) / scale;
  const bit = Math.floor(self * scale * 2) % 2;
  const width = 1 / (scale * 2);
  const start = prefix + (1 - bit) * width;
  const rel = (((start - self) % 1) + 1) % 1;
  return [rel, rel + width];
}

export class XorRing extends LitElement {
  static override properties = { snapshot: { attribute: false } };
  declare snapshot: NetworkSnapshot | undefined;

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        gap: 1.25rem;
        flex-wrap: wrap;
        align-items: flex-start;
      }
      svg.ring {
        width: min(250px, 100%);
        height: auto;
        flex: none;
      }
      .bars {
        flex: 1 1 12rem;
        display: grid;
        gap: 0.25rem;
        font-size: 0.8rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .bars li {
        display: grid;
        grid-template-columns: 4.5rem 1fr 3rem;
        gap: 0.5rem;
        align-items: center;
      }
      .track {
        height: 0.6rem;
        border-radius: 999px;
        background: var(--surface-2);
        border: 1px solid var(--border);
        overflow: hidden;
      }
      .fill {
        height: 100%;
        background: var(--accent);
      }
      .num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .legend {
        display: flex;
        gap: 0.9rem;
        flex-wrap: wrap;
        font-size: 0.8rem;
        color: var(--muted);
        width: 100%;
      }
      .legend span::before {
        content: '';
        display: inline-block;
        width: 0.65rem;
        height: 0.65rem;
        border-radius: 50%;
        margin-right: 0.3rem;
        vertical-align: -1px;
      }
      .l-conn::before {
        background: var(--accent);
      }
      .l-link::before {
        background: var(--accent);
        box-shadow: 0 0 0 2px var(--surface), 0 0 0 3.5px var(--ok);
      }
      .l-known::before {
        border: 1.5px solid var(--muted);
      }
    `,
  ];

  constructor() {
    super();
    this.snapshot = undefined;
  }

  override render() {
    const s = this.snapshot;
    if (!s) return html``;
    const self = turns(s.id);
    const levels = new Map<number, number>();
    for (const b of s.buckets) levels.set(b.level, (levels.get(b.level) ?? 0) + b.size);
    const deepest = Math.max(0, ...levels.keys());
    const shown = Array.from({ length: deepest + 1 }, (_, l) => l);
    const connected = s.contacts.filter((c) => c.connected).length;
    const bands = shown
      .map((l) => ({ l, a: levelArc(self, l), fill: Math.min(1, (levels.get(l) ?? 0) / s.k) }))
      .filter((x) => x.a[1] - x.a[0] >= 0.004);
    return html`<svg class="ring" viewBox="0 0 300 300" role="img" aria-labelledby="ring-title">
        <title id="ring-title">Your node at the top of the id ring, with ${s.contacts.length} routing contacts, ${connected} of them connected</title>
        <circle cx=${C} cy=${C} r=${R} fill="none" stroke="var(--border-strong)" stroke-width="1.5"></circle>
        ${bands.map(
          (b) => svg`<path d=${arc(b.a[0] + 0.002, b.a[1] - 0.002, BAND)} fill="none" stroke="var(--accent)" stroke-width="10"
            stroke-opacity=${(0.12 + 0.88 * b.fill).toFixed(2)} stroke-linecap="butt"></path>`,
        )}
        ${s.contacts.map((c) => {
          const [x, y] = point((((turns(c.id) - self) % 1) + 1) % 1, R);
          return c.connected
            ? svg`<circle cx=${x.toFixed(1)} cy=${y.toFixed(1)} r=${c.link ? 5 : 4} fill="var(--accent)"
                stroke=${c.link ? 'var(--ok)' : 'none'} stroke-width="2.5"></circle>`
            : svg`<circle cx=${x.toFixed(1)} cy=${y.toFixed(1)} r="3.5" fill="var(--ring-bg)" stroke="var(--muted)" stroke-width="1.5"></circle>`;
        })}
        <circle cx=${C} cy=${C - R} r="8" fill="var(--fg)"></circle>
        <text x=${C} y=${C - R + 26} text-anchor="middle" font-size="13" font-weight="700" fill="var(--fg)">you</text>
        <text x=${C} y=${C - 4} text-anchor="middle" font-size="26" font-weight="700" fill="var(--fg)">${s.contacts.length}</text>
        <text x=${C} y=${C + 16} text-anchor="middle" font-size="12" fill="var(--muted)">routing contacts</text>
        <text x=${C} y=${C + 32} text-anchor="middle" font-size="12" fill="var(--muted)">${connected} connected</text>
      </svg>
      <ol class="bars" aria-label=${`Bucket fill (k = ${s.k})`}>
        ${shown.map((l) => {
          const n = levels.get(l) ?? 0;
          return html`<li>
            <span>bucket ${l}</span>
            <span class="track" aria-hidden="true"><span class="fill" style="display:block;width:${Math.round((100 * Math.min(n, s.k)) / s.k)}%"></span></span>
            <span class="num">${n}/${s.k}</span>
          </li>`;
        })}
      </ol>
      <p class="legend" aria-hidden="true"><span class="l-conn">connected</span><span class="l-link">kept link</span><span class="l-known">known, not connected</span></p>`;
  }
}
customElements.define('xor-ring', XorRing);

declare global {
  interface HTMLElementTagNameMap {
    'xor-ring': XorRing;
  }
}
