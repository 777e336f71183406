/**
 * Where the app is, in the URL's fragment, so the back button and reloads work: `#/chat/<id>`,
 * `#/contact/<id>`, `#/add`, `#/share`, `#/network`, `#/settings`, and `#/` for the list. An
 * address link (`#add/v1.…`) opened in the app is a route too: it asks to add that person.
 */
export type Route =
  | { view: 'contacts' }
  | { view: 'chat'; id: string }
  | { view: 'details'; id: string }
  | { view: 'add' }
  | { view: 'share' }
  | { view: 'network' }
  | { view: 'settings' }
  | { view: 'add-link'; link: string };

const ID = /^[0-9a-f]{64}$/;

export function parseRoute(hash: string, href = ''): Route {
  const h = hash.replace(/^#/, '');
  if (h.startsWith('add/')) return { view: 'add-link', link: href || `#${h}` };
  const [, first, id] = h.split('/');
  switch (first) {
    case 'chat':
      return id && ID.test(id) ? { view: 'chat', id } : { view: 'contacts' };
    case 'contact':
      return id && ID.test(id) ? { view: 'details', id } : { view: 'contacts' };
    case 'add':
      return { view: 'add' };
    case 'share':
      return { view: 'share' };
    case 'network':
      return { view: 'network' };
    case 'settings':
      return { view: 'settings' };
    default:
      return { view: 'contacts' };
  }
}

export function hrefOf(r: Route): string {
  switch (r.view) {
    case 'chat':
      return `#/chat/${r.id}`;
    case 'details':
      return `#/contact/${r.id}`;
    case 'add-link':
      return r.link;
    case 'contacts':
      return '#/';
    default:
      return `#/${r.view}`;
  }
}

/** Go to `r` (a new history entry, or in place of the current one). */
export function navigate(r: Route, opts: { replace?: boolean } = {}): void {
  const h = hrefOf(r);
  if (opts.replace) location.replace(h);
  else location.hash = h;
}
