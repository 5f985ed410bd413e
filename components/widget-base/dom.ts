/** An element with an optional class and text (set as text, never as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A button that downloads the bytes `make` returns (made on click) as a zip named `file`. */
export function downloadButton(text: string, file: string, make: () => Uint8Array): HTMLButtonElement {
  const b = el('button', 'ftw-secondary', text);
  b.type = 'button';
  b.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([make() as BlobPart], { type: 'application/zip' }));
    const a = el('a');
    a.href = url;
    a.download = file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return b;
}
