/** Styles every element shares: buttons, inputs, focus rings, notes, visually hidden text. */
import { css } from 'lit';

export const controls = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  /* A <details>' content inherits through the browser's own slot (content-box): say it again there. */
  details > * {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3,
  p {
    margin: 0;
  }
  h1 {
    font-size: 1.25rem;
  }
  h2 {
    font-size: 1.15rem;
  }
  h3 {
    font-size: 1rem;
  }
  button {
    font: inherit;
    color: var(--fg);
    background: var(--surface);
    border: 1px solid var(--border-strong);
    border-radius: 8px;
    padding: 0.45rem 0.9rem;
    min-height: 2.5rem;
    cursor: pointer;
  }
  button:hover {
    background: var(--surface-2);
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-fg);
    border-color: var(--accent);
    font-weight: 600;
  }
  button.primary:hover {
    filter: brightness(1.08);
  }
  button.danger {
    color: var(--danger);
    border-color: var(--danger);
  }
  button.quiet {
    border-color: transparent;
    background: transparent;
  }
  button.icon {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4rem;
    padding: 0.45rem;
    min-width: 2.5rem;
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  a {
    color: var(--accent);
  }
  input,
  textarea,
  select {
    font: inherit;
    color: var(--fg);
    background: var(--surface);
    border: 1px solid var(--border-strong);
    border-radius: 8px;
    padding: 0.5rem 0.6rem;
    width: 100%;
  }
  textarea {
    resize: vertical;
  }
  input[type='checkbox'] {
    width: 1.15rem;
    height: 1.15rem;
    margin: 0;
    accent-color: var(--accent);
  }
  label {
    font-weight: 600;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  input:focus-visible,
  textarea:focus-visible {
    outline-offset: 0;
  }
  .field {
    display: grid;
    gap: 0.3rem;
  }
  .hint {
    color: var(--muted);
    font-size: 0.875rem;
  }
  .error {
    color: var(--danger);
  }
  .note {
    background: var(--warn-bg);
    color: var(--warn-fg);
    border-radius: var(--radius);
    padding: 0.6rem 0.8rem;
  }
  .row {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    flex-wrap: wrap;
  }
  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 1rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }
  svg.i {
    width: 1.25rem;
    height: 1.25rem;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
`;
