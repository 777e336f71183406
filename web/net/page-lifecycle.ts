/**
 * Close every connection when the page goes away (tab closed, reload, navigation), so peers see
 * the data channels close at once instead of after ICE consent freshness gives up (~9 s with the
 * transport's disconnect grace). Each open connection gets a BYE first (`leave()`): a peer that
 * reads it stops sending to us at once. The page cannot wait for the BYEs to flush; the browser
 * closes the connections as the page goes. Returns an uninstall function. Browser only; no-op
 * elsewhere.
 */
export function leaveOnPageHide(target: { leave(): Promise<void> }): () => void {
  if (typeof globalThis.addEventListener !== 'function') return () => {};
  const onHide = (ev: Event): void => {
    // A page entering the back/forward cache may come back; keep its connections then.
    if ((ev as PageTransitionEvent).persisted) return;
    void target.leave();
  };
  globalThis.addEventListener('pagehide', onHide);
  return () => globalThis.removeEventListener('pagehide', onHide);
}
