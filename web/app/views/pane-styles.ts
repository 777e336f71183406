/** The frame of a secondary pane (add contact, share, details, network, settings): a header with back, a scrolling body. */
import { css } from 'lit';

export const paneStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.6rem 0.9rem;
    min-height: 3.6rem;
    border-bottom: 1px solid var(--border);
    background: var(--surface);
  }
  a.back {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-width: 2.5rem;
    min-height: 2.5rem;
    border-radius: 8px;
    color: var(--fg);
  }
  a.back:hover {
    background: var(--surface-2);
  }
  .body {
    flex: 1;
    overflow-y: auto;
    padding: 1rem 0.9rem 2rem;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    align-content: start;
    gap: 1rem;
  }
  .body > * {
    max-width: 40rem;
  }
  form,
  section {
    display: grid;
    gap: 0.8rem;
  }
  .row button.primary,
  form > button.primary {
    justify-self: start;
  }
`;
