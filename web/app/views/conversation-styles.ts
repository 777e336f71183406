/** The conversation view's styles (kept apart so the view's file stays about behaviour). */
import { css } from 'lit';

export const conversationStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    padding: 0.6rem 0.9rem;
    border-bottom: 1px solid var(--border);
    background: var(--surface);
  }
  .title {
    flex: 1;
    min-width: 0;
  }
  .title h2 {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .title .hint {
    font-size: 0.8rem;
  }
  a.back,
  a.button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.35rem;
    min-width: 2.5rem;
    min-height: 2.5rem;
    border-radius: 8px;
    color: var(--fg);
    text-decoration: none;
  }
  a.button {
    padding: 0.3rem 0.7rem;
    border: 1px solid var(--border-strong);
  }
  a.back:hover,
  a.button:hover {
    background: var(--surface-2);
  }
  @media (min-width: 720px) {
    a.back {
      display: none;
    }
  }
  @media (max-width: 419px) {
    a.button span {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
  }
  .note {
    margin: 0.6rem 0.9rem 0;
  }
  .scroll {
    flex: 1;
    overflow-y: auto;
    padding: 0.75rem 0.9rem;
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
  }
  .scroll:focus-visible {
    outline-offset: -3px;
  }
  .older {
    align-self: center;
  }
  .center {
    text-align: center;
    margin: auto 0;
  }
  ol.messages {
    list-style: none;
    margin: auto 0 0;
    padding: 0;
    display: grid;
    gap: 0.35rem;
  }
  li.day {
    text-align: center;
    margin: 0.5rem 0 0.2rem;
  }
  li.day span {
    display: inline-block;
    padding: 0.1rem 0.7rem;
    border-radius: 999px;
    background: var(--surface-2);
    color: var(--muted);
    font-size: 0.8rem;
  }
  .composer {
    display: flex;
    gap: 0.5rem;
    align-items: flex-end;
    padding: 0.6rem 0.9rem 0.8rem;
    border-top: 1px solid var(--border);
    background: var(--surface);
  }
  textarea {
    flex: 1;
    resize: none;
    min-height: 2.6rem;
    max-height: 10rem;
    line-height: 1.35;
  }
  .replying {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.5rem 0.9rem 0;
    border-top: 1px solid var(--border);
    background: var(--surface);
  }
  .replying + .composer {
    border-top: none;
  }
  .replying .quote {
    flex: 1;
    min-width: 0;
    padding: 0.2rem 0.6rem;
    border-left: 3px solid var(--accent);
    border-radius: 4px;
    background: var(--surface-2);
    font-size: 0.85rem;
  }
  .replying .who {
    display: block;
    font-weight: 600;
    color: var(--accent);
  }
  .replying .said {
    display: block;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .send-error {
    margin-bottom: 0.5rem;
  }
  .gone {
    padding: 2rem 1rem;
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
`;
