/** The app shell's layout: sidebar and conversation side by side on a desktop, one pane at a time on a phone. */
import { css } from 'lit';

/** Below this width one pane shows at a time. */
export const NARROW_PX = 720;

export const appStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    height: 100dvh;
  }
  .layout {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(18rem, 24rem) 1fr;
  }
  aside {
    min-height: 0;
    background: var(--surface);
    border-right: 1px solid var(--border);
  }
  main {
    min-height: 0;
    min-width: 0;
  }
  main > * {
    height: 100%;
  }
  @media (max-width: 719px) {
    .layout {
      grid-template-columns: 1fr;
    }
    .layout.list main,
    .layout.pane aside {
      display: none;
    }
  }
  .placeholder {
    height: 100%;
    display: grid;
    place-content: center;
    gap: 0.75rem;
    text-align: center;
    padding: 2rem;
    color: var(--muted);
  }
  .placeholder h2 {
    color: var(--fg);
  }
  .center {
    min-height: 100%;
    display: grid;
    place-content: center;
    gap: 1rem;
    padding: 2rem 1rem;
    max-width: 30rem;
    margin: 0 auto;
  }
`;
