import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMath from 'remark-math';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import rehypeKatexStrict from '../../../scripts/rehype-katex-strict.mjs';
import rehypeChapterSections from '../../../scripts/rehype-chapter-sections.mjs';
import { chapterSchema } from '../../../content/chapter-schema';

const render = (markdown: string) =>
  unified().use(remarkParse).use(remarkMath).use(remarkRehype).use(rehypeKatexStrict).use(rehypeStringify).process(markdown);

describe('math in chapters', () => {
  it('renders valid TeX to KaTeX HTML at build time', async () => {
    const html = String(await render('$$\nh = W_0 x + \\frac{\\alpha}{r} B A x\n$$'));
    expect(html).toContain('class="katex-display"');
    expect(html).not.toContain('katex-error');
  });

  it('keeps the MathML and visual spans KaTeX writes out of the search index, and indexes the formula by its words', async () => {
    const html = String(await render('$$\n-\\log \\sigma\\Big(\\beta \\log \\frac{\\pi_\\theta}{\\pi_{\\text{ref}}}\\Big)\n$$'));
    expect(html).toMatch(/class="katex-mathml" data-pagefind-ignore="all"/);
    expect(html).toMatch(/class="katex-html"[^>]* data-pagefind-ignore="all"/);
    expect(html).toContain('data-pagefind-index-attrs="data-formula-words" data-formula-words="log sigma beta pi theta ref"');
  });

  it('fails the build on TeX that KaTeX cannot parse, instead of shipping red text', async () => {
    await expect(render('Inline $\\frac{1}{$ and $$\\notacommand{x}$$')).rejects.toThrow(/KaTeX could not render 2 formula/);
  });
});

describe('chapter parts', () => {
  it('wraps each h2 and what follows it up to the next h2 in a section, leaving the opening as it is', async () => {
    const html = String(
      await unified()
        .use(remarkParse)
        .use(remarkRehype)
        .use(rehypeChapterSections)
        .use(rehypeStringify)
        .process('Opening.\n\n## One\n\nText.\n\n### Sub\n\nMore.\n\n## Two\n\nEnd.'),
    );
    expect(html.replace(/\n/g, '')).toBe(
      '<p>Opening.</p><section class="chapter-part"><h2>One</h2><p>Text.</p><h3>Sub</h3><p>More.</p></section><section class="chapter-part"><h2>Two</h2><p>End.</p></section>',
    );
  });
});

describe('chapter text', () => {
  it('writes the apostrophe after inline math as ’: the typographer reads a straight one after $…$ as an opening quote (B‘s)', () => {
    const dir = new URL('../../../content/chapters/', import.meta.url);
    const offending = readdirSync(dir)
      .filter((f) => f.endsWith('.mdx'))
      .flatMap((f) =>
        readFileSync(new URL(f, dir), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${f}:${i + 1}`, line })),
      )
      .filter(({ line }) => /\$'[A-Za-z]/.test(line))
      .map(({ where }) => where);
    expect(offending).toEqual([]);
  });
});

describe('one KaTeX renders and styles the formulas', () => {
  it('rehype-katex renders with the KaTeX whose CSS the pages load', () => {
    const root = createRequire(import.meta.url);
    const fromRehype = createRequire(root.resolve('rehype-katex'));
    const version = (req: NodeRequire) => (JSON.parse(readFileSync(req.resolve('katex/package.json'), 'utf8')) as { version: string }).version;
    expect(version(fromRehype)).toBe(version(root));
  });

  it('every layout class the build renders is styled by the CSS the pages load (0.16 classes like .base are not)', async () => {
    const html = String(await render('$$\nx^{2} \\ne \\frac{a}{\\sqrt{b}} \\Phi^{-1}(p)\n$$'));
    const css = readFileSync(createRequire(import.meta.url).resolve('katex/dist/katex.min.css'), 'utf8');
    // Atom classes carry spacing semantics in the HTML and have no rules of their own.
    const atoms = new Set(['mord', 'mtight', 'mrel', 'mbin', 'mop', 'mopen', 'mclose', 'mpunct', 'minner', 'nobreak']);
    const classes = new Set([...html.matchAll(/class="([^"]+)"/g)].flatMap((m) => m[1].split(/\s+/)));
    const unstyled = [...classes].filter((c) => !atoms.has(c) && !css.includes(`.${c}`));
    expect(unstyled).toEqual([]);
    expect(classes.has('msupsub')).toBe(true);
  });
});

describe('chapter front matter', () => {
  const good = {
    title: 'LoRA',
    order: 2,
    summary: 'Low-rank adapters, derived and trained.',
    sources: [{ title: 'Hu et al. 2021', url: 'https://arxiv.org/abs/2106.09685' }],
  };

  it('accepts a complete chapter', () => {
    expect(chapterSchema.parse(good)).toEqual(good);
  });

  it.each([
    ['no sources', { ...good, sources: [] }, /sources/],
    ['a fractional order', { ...good, order: 1.5 }, /order/],
    ['a missing title', { ...good, title: undefined }, /title/],
    ['a bad source URL', { ...good, sources: [{ title: 'Hu et al.', url: 'not a url' }] }, /url/i],
  ])('rejects %s', (_, data, message) => {
    const result = chapterSchema.safeParse(data);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
