/** Inline SVG icons (stroke drawings, 24×24 grid), decorative: the control around one names it. */
import { svg, type SVGTemplateResult } from 'lit';

const icon = (body: SVGTemplateResult): SVGTemplateResult =>
  svg`<svg class="i" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;

export const icons = {
  back: icon(svg`<path d="M15 5l-7 7 7 7"/>`),
  add: icon(svg`<path d="M12 5v14M5 12h14"/>`),
  share: icon(
    svg`<circle cx="18" cy="5" r="2.5"/><circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="19" r="2.5"/><path d="M8.2 10.8l7.6-4.4M8.2 13.2l7.6 4.4"/>`,
  ),
  settings: icon(
    svg`<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1L7 17M17 7l2.1-2.1"/>`,
  ),
  network: icon(
    svg`<circle cx="12" cy="12" r="9"/><circle cx="12" cy="3" r="1.5"/><circle cx="19.8" cy="16.5" r="1.5"/><circle cx="4.2" cy="16.5" r="1.5"/><path d="M12 12l0-7.5M12 12l6.5 3.8M12 12l-6.5 3.8"/>`,
  ),
  send: icon(svg`<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>`),
  info: icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>`),
  copy: icon(svg`<rect x="8" y="8" width="12" height="12" rx="2"/><path d="M16 8V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3"/>`),
  camera: icon(svg`<path d="M3 8h4l2-3h6l2 3h4v11H3z"/><circle cx="12" cy="13" r="3.5"/>`),
  check: icon(svg`<path d="M5 12.5l4.5 4.5L19 7.5"/>`),
  checks: icon(svg`<path d="M2 12.5l4.5 4.5L16 7.5"/><path d="M11.5 16l1 1L22 7.5"/>`),
  clock: icon(svg`<circle cx="12" cy="12" r="8"/><path d="M12 8v4.5l3 2"/>`),
  alert: icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v6M12 16.5v.5"/>`),
  close: icon(svg`<path d="M6 6l12 12M18 6L6 18"/>`),
  reply: icon(svg`<path d="M9 7L4 12l5 5"/><path d="M4 12h10a6 6 0 0 1 6 6v1"/>`),
  more: icon(svg`<circle cx="5.5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="18.5" cy="12" r="1.2"/>`),
  edit: icon(svg`<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="M13.5 6.5l4 4"/>`),
  trash: icon(svg`<path d="M4 7h16M10 7V4h4v3M6 7l1 13h10l1-13"/>`),
  shield: icon(svg`<path d="M12 3l8 3v6c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>`),
};
