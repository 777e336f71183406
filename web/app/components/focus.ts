/** Focus across shadow roots: the element that really has focus, and what can take it inside a tree. */

/** document.activeElement, followed down through open shadow roots. */
export function deepActiveElement(doc: Document = document): Element | null {
  let a = doc.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

function visible(el: HTMLElement): boolean {
  return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
}

/** Focusable elements under `root` in tree order, through shadow roots and slots. */
export function focusables(root: Element | ShadowRoot): HTMLElement[] {
  const out: HTMLElement[] = [];
  const visit = (el: Element): void => {
    if (el instanceof HTMLElement && el.matches(FOCUSABLE) && visible(el)) out.push(el);
    if (el.shadowRoot) for (const c of Array.from(el.shadowRoot.children)) visit(c);
    if (el instanceof HTMLSlotElement) {
      for (const c of el.assignedElements({ flatten: true })) visit(c);
      return;
    }
    for (const c of Array.from(el.children)) visit(c);
  };
  for (const c of Array.from(root.children)) visit(c);
  return out;
}
