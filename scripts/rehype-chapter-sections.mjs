/**
 * Wraps each part of a chapter (an h2 and everything up to the next h2) in
 * <section class="chapter-part">, so the browser can skip the style and layout of parts far from
 * the screen (`content-visibility: auto` in theme.css): most of a long chapter's load time went to
 * laying out formulas the reader had not reached. Text before the first h2 stays as it is; MDX's
 * import/export statements stay at the top level, where MDX needs them.
 */
export default function rehypeChapterSections() {
  return (tree) => {
    const children = [];
    let part = null;
    for (const node of tree.children) {
      if (node.type === 'mdxjsEsm' || node.type === 'mdxFlowExpression') {
        children.push(node);
        continue;
      }
      if (node.type === 'element' && node.tagName === 'h2') {
        part = { type: 'element', tagName: 'section', properties: { className: ['chapter-part'] }, children: [] };
        children.push(part);
      }
      if (part) part.children.push(node);
      else children.push(node);
    }
    tree.children = children;
  };
}
