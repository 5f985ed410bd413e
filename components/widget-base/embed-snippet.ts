/**
 * The copy-paste snippet for embedding a widget: the iframe (with a title, clipboard permission
 * for Share, and the widget's fixed height for hosts that forbid scripts) and a script that resizes
 * the frame to the height the widget reports, accepting messages from the course's origin only.
 */
export interface SnippetInput {
  /** The course's origin, e.g. https://course.example; empty gives a root-relative src. */
  origin: string;
  /** /embed/<name>/?v=1&… */
  path: string;
  title: string;
  height: number;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function embedSnippet({ origin, path, title, height }: SnippetInput): string {
  const src = `${origin}${path}`;
  const iframe = `<iframe src="${escapeAttr(src)}" title="${escapeAttr(title)}" width="100%" height="${height}" style="border:0" loading="lazy" allow="clipboard-write"></iframe>`;
  const script = `<script>
addEventListener('message', (e) => {
  if (e.origin !== ${JSON.stringify(origin || '')} || e.data?.type !== 'ft:resize') return;
  for (const f of document.querySelectorAll('iframe'))
    if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';
});
</script>`;
  return `${iframe}\n${script}`;
}
