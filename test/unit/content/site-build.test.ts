import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMath from 'remark-math';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import rehypeKatexStrict from '../../../scripts/rehype-katex-strict.mjs';
import { chapterSchema } from '../../../content/chapter-schema';

const render = (markdown: string) =>
  unified().use(remarkParse).use(remarkMath).use(remarkRehype).use(rehypeKatexStrict).use(rehypeStringify).process(markdown);

describe('math in chapters', () => {
  it('renders valid TeX to KaTeX HTML at build time', async () => {
    const html = String(await render('$$\nh = W_0 x + \\frac{\\alpha}{r} B A x\n$$'));
    expect(html).toContain('class="katex-display"');
    expect(html).not.toContain('katex-error');
  });

  it('fails the build on TeX that KaTeX cannot parse, instead of shipping red text', async () => {
    await expect(render('Inline $\\frac{1}{$ and $$\\notacommand{x}$$')).rejects.toThrow(/KaTeX could not render 2 formula/);
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
