import rehypeKatex from 'rehype-katex';

/**
 * rehype-katex renders a formula it cannot parse as red text and only records a message. We want
 * such a chapter to fail the build instead, so this wrapper throws when that message appears.
 *
 * It also keeps formulas out of the search index as KaTeX writes them (the MathML, the LaTeX
 * annotation and the visual spans would index each formula three times over, as symbol soup) and
 * indexes their words instead: "\log \sigma(\beta x)" is found by "log sigma beta".
 */
export default function rehypeKatexStrict() {
  const render = rehypeKatex({ strict: 'error', trust: false });
  return (tree, file) => {
    render(tree, file);
    indexFormulaWords(tree);
    const failures = file.messages.filter((m) => m.source === 'rehype-katex');
    if (failures.length > 0) {
      const where = file.path ?? 'a chapter';
      const details = failures.map((m) => `  line ${m.line ?? '?'}: ${m.cause?.message ?? m.reason}`).join('\n');
      throw new Error(`KaTeX could not render ${failures.length} formula(s) in ${where}:\n${details}`);
    }
  };
}

/** LaTeX commands that are layout, not words a reader would search for. */
const LAYOUT = new Set([
  'frac',
  'dfrac',
  'tfrac',
  'text',
  'mathrm',
  'mathbf',
  'mathbb',
  'mathcal',
  'operatorname',
  'left',
  'right',
  'big',
  'Big',
  'bigg',
  'Bigg',
  'quad',
  'qquad',
  'mid',
  'lVert',
  'rVert',
  'lvert',
  'rvert',
  'cdot',
  'times',
  'odot',
  'hat',
  'tilde',
  'bar',
  'overline',
  'underbrace',
  'overbrace',
  'begin',
  'end',
  'aligned',
  'cases',
  'le',
  'ge',
  'leq',
  'geq',
  'ne',
  'neq',
  'approx',
  'propto',
  'sum',
  'prod',
  'int',
  'infty',
  'in',
  'to',
  'ldots',
  'cdots',
  'dots',
  'displaystyle',
]);

function formulaWords(latex) {
  const words = [];
  for (const m of latex.matchAll(/\\([A-Za-z]+)|([A-Za-z]{2,})/g)) {
    const w = m[1] ?? m[2];
    if (m[1] && LAYOUT.has(w)) continue;
    words.push(w.toLowerCase());
  }
  return [...new Set(words)].join(' ');
}

function classes(node) {
  const c = node.properties?.className;
  return Array.isArray(c) ? c : typeof c === 'string' ? c.split(' ') : [];
}

function textOf(node) {
  if (node.type === 'text') return node.value;
  return (node.children ?? []).map(textOf).join('');
}

function indexFormulaWords(node) {
  if (node.type === 'element' && classes(node).includes('katex')) {
    let latex = '';
    const visit = (n) => {
      if (n.type === 'element' && n.tagName === 'annotation') latex = textOf(n);
      if (n.type === 'element' && (classes(n).includes('katex-mathml') || classes(n).includes('katex-html'))) n.properties.dataPagefindIgnore = 'all';
      for (const c of n.children ?? []) visit(c);
    };
    visit(node);
    const words = formulaWords(latex);
    if (words) {
      node.properties.dataPagefindIndexAttrs = 'data-formula-words';
      node.properties.dataFormulaWords = words;
    }
    return;
  }
  for (const c of node.children ?? []) indexFormulaWords(c);
}
