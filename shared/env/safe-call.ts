/**
 * Call `fn` and keep its exception from escaping: for handlers, listeners and hooks whose bug
 * must not break the caller (a node, a connection). False when it threw.
 */
export function callSafely(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
