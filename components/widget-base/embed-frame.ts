import { attrName, fromQuery } from './params';
import { loadWidget, widgetMeta } from './registry';

/**
 * Runs inside /embed/<name>/: applies the validated query string to the widget, loads it at once
 * and reports the page height to the parent window so the iframe can fit its content.
 *   parent receives: { type: 'ft:resize', widget: name, height }
 */
export function startEmbed(element: HTMLElement): void {
  const name = element.localName.replace(/^ft-/, '');
  const meta = widgetMeta(name);
  if (!meta) return;
  const query = new URLSearchParams(location.search);
  const { errors } = fromQuery(meta.schema, query);
  // Parameter values go through the widget's own attribute validation, which shows a bad value in the widget.
  for (const key of Object.keys(meta.schema)) {
    const value = query.get(key) ?? query.get(attrName(key));
    if (value !== null) element.setAttribute(attrName(key), value);
  }
  const backend = query.get('backend');
  if (backend) element.setAttribute('backend', backend);
  const hide = query.get('hide');
  if (hide) element.setAttribute('hide', hide);
  if (query.get('autorun') === '1') element.setAttribute('autorun', '');
  const theme = query.get('theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;

  // Link-level problems (unknown keys, a future format version) are not attributes: list them above the widget.
  const linkErrors = errors.filter((e) => !e.startsWith('“'));
  if (linkErrors.length > 0) {
    const box = document.createElement('div');
    box.className = 'ftw-error';
    box.setAttribute('role', 'alert');
    box.textContent = linkErrors.join('\n');
    element.before(box);
  }

  loadWidget(name).catch((error: unknown) => {
    element.textContent = `This widget could not load: ${error instanceof Error ? error.message : String(error)}`;
  });

  let last = 0;
  // The content's own height: the document's scroll height is never less than the frame, so it
  // could only ever grow the frame.
  const report = () => {
    const margin = parseFloat(getComputedStyle(document.body).marginBottom) || 0;
    const height = Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY + margin);
    if (height === last || window.parent === window) return;
    last = height;
    window.parent.postMessage({ type: 'ft:resize', widget: name, height }, '*');
  };
  new ResizeObserver(report).observe(document.body);
  report();
}
