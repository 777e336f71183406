/**
 * The one theme: custom properties set on the app's root element (`:host`), inherited through
 * every shadow root below it. Dark mode swaps the properties; nothing else changes. Text colours
 * meet WCAG AA (4.5:1) on the surfaces they are used on.
 */
import { css } from 'lit';

export const theme = css`
  :host {
    color-scheme: light;
    --bg: #f3f4f7;
    --surface: #ffffff;
    --surface-2: #eceef3;
    --fg: #171c28;
    --muted: #4f5869;
    --border: #c4cad5;
    --border-strong: #7a8394;
    --accent: #1d58c8;
    --accent-fg: #ffffff;
    --accent-soft: #e3ebfb;
    --ok: #0f7238;
    --danger: #b0241b;
    --warn-bg: #fff2cc;
    --warn-fg: #4d3800;
    --bubble-me: #1d58c8;
    --bubble-me-fg: #ffffff;
    --bubble-me-meta: #e1e9fb;
    /* read ticks: apart from the meta colour by hue, 4.6:1 on the bubble */
    --tick-read: #86efac;
    --bubble-them: #ffffff;
    --bubble-them-fg: #171c28;
    --focus: #1d58c8;
    --ring-bg: #ffffff;
    --radius: 10px;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif;
    font-size: 16px;
    line-height: 1.4;
    color: var(--fg);
    background: var(--bg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      color-scheme: dark;
      --bg: #0f1218;
      --surface: #181d26;
      --surface-2: #222834;
      --fg: #e8ebf1;
      --muted: #a9b2c2;
      --border: #353d4b;
      --border-strong: #7d879a;
      --accent: #8db3ff;
      --accent-fg: #0a1020;
      --accent-soft: #1d2a45;
      --ok: #62d394;
      --danger: #ff8f86;
      --warn-bg: #3a2f12;
      --warn-fg: #ffe09a;
      --bubble-me: #2a5bbf;
      --bubble-me-fg: #ffffff;
      --bubble-me-meta: #dbe5ff;
      --tick-read: #86efac;
      --bubble-them: #222834;
      --bubble-them-fg: #e8ebf1;
      --focus: #8db3ff;
      --ring-bg: #181d26;
    }
  }
`;
