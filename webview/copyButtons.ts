/** Copy buttons: one on every code block (answer and tree details), labelled and keyboard reachable.
 *  The text goes to the host (VS Code's clipboard), never through the Clipboard API. */
import { post } from './rpc';

/** A small "Copy" button for `pre`, placed before it (not inside, so the block's text stays the code). */
export function addCopyButton(pre: HTMLElement, label = 'Copy code'): void {
  if (pre.previousElementSibling?.classList.contains('copy-code')) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy-code';
  button.textContent = 'Copy';
  button.setAttribute('aria-label', label);
  button.title = label;
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    post({ type: 'copy', text: pre.textContent ?? '', what: 'code' });
    flash(button);
  });
  pre.before(button);
}

/** Every `pre` under `root` gets its button. */
export function addCopyButtons(root: ParentNode, label?: string): void {
  for (const pre of root.querySelectorAll<HTMLElement>('pre')) addCopyButton(pre, label);
}

/** "Copied" for a moment, so the click is seen (and, through aria-live, heard). */
export function flash(button: HTMLElement): void {
  const before = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => (button.textContent = before), 1200);
}
