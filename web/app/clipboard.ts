/**
 * Copy text for the user. The async clipboard first; where the browser refuses it (no permission,
 * an insecure context), the text shown in `shown` is selected and the legacy copy command tried.
 * False when neither worked: the text is then selected, for the user to copy by hand.
 */
export async function copyText(text: string, shown: HTMLElement | null | undefined): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (shown instanceof HTMLInputElement || shown instanceof HTMLTextAreaElement) {
      shown.focus();
      shown.select();
    } else if (shown) {
      const range = document.createRange();
      range.selectNodeContents(shown);
      const sel = getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
    }
    return document.execCommand('copy');
  }
}
