/**
 * The node joining the network, in three steps people can follow (reaching the network, meeting
 * other devices, joined) with how many devices it is connected to, instead of a frozen page.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { NodeStatus } from '../../runtime/types';
import { plural } from '../format';
import { icons } from '../icons';
import { controls } from '../styles';

const STEPS = [
  { phase: 'connecting', label: 'Reaching the network' },
  { phase: 'bootstrapping', label: 'Meeting other devices' },
  { phase: 'joined', label: 'Joined' },
] as const;

export class JoinProgress extends LitElement {
  static override properties = { status: { attribute: false } };
  declare status: NodeStatus | undefined;

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      ol {
        display: grid;
        gap: 0.35rem;
        padding: 0;
        margin: 0;
        list-style: none;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        color: var(--muted);
      }
      .mark {
        display: inline-grid;
        place-items: center;
        width: 1.1rem;
        height: 1.1rem;
        border-radius: 50%;
        border: 2px solid var(--border-strong);
        flex: none;
      }
      .mark svg.i {
        width: 0.8rem;
        height: 0.8rem;
        stroke-width: 3;
        color: var(--accent-fg);
      }
      .done {
        color: var(--fg);
      }
      .done .mark {
        background: var(--ok);
        border-color: var(--ok);
      }
      .done .mark svg.i {
        color: var(--surface);
      }
      [aria-current='step'] {
        color: var(--fg);
        font-weight: 600;
      }
      [aria-current='step'] .mark {
        border-color: var(--accent);
        border-top-color: transparent;
        animation: spin 1s linear infinite;
      }
      @media (prefers-reduced-motion: reduce) {
        [aria-current] .mark {
          animation: none;
        }
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
    `,
  ];

  constructor() {
    super();
    this.status = undefined;
  }

  override render() {
    const s = this.status;
    const at = s ? STEPS.findIndex((x) => x.phase === s.phase) : 0;
    const joined = s?.phase === 'joined';
    const detail = !s
      ? 'Starting…'
      : joined
        ? s.peers === 0
          ? 'Joined. You are the first one here; others connect as they arrive.'
          : `Joined: connected to ${plural(s.peers, 'device')}.`
        : s.phase === 'bootstrapping'
          ? `Meeting other devices: ${plural(s.peers, 'connection')} so far.`
          : s.phase === 'closed'
            ? 'Stopped.'
            : s.signal === 'reconnecting'
              ? 'The network cannot be reached yet. Trying again…'
              : 'Reaching the network…';
    return html`<ol aria-label="Joining the network">
        ${STEPS.map(
          (step, i) =>
            html`<li class=${i < at || joined ? 'done' : ''} aria-current=${i === at && !joined ? 'step' : 'false'}>
              <span class="mark" aria-hidden="true">${i < at || joined ? icons.check : nothing}</span>${step.label}
            </li>`,
        )}
      </ol>
      <p class="hint" role="status">${detail}</p>`;
  }
}
customElements.define('join-progress', JoinProgress);

declare global {
  interface HTMLElementTagNameMap {
    'join-progress': JoinProgress;
  }
}
