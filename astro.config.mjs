// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatexStrict from './scripts/rehype-katex-strict.mjs';
import rehypeChapterSections from './scripts/rehype-chapter-sections.mjs';

export default defineConfig({
  // The public origin of a deployment (SITE_URL=https://… npm run build): the embed gallery's
  // snippets point there. Without it, the gallery fills in the origin it is served from.
  site: process.env.SITE_URL || undefined,
  trailingSlash: 'always',
  devToolbar: { enabled: false },
  integrations: [mdx()],
  markdown: {
    remarkPlugins: [remarkMath],
    rehypePlugins: [rehypeKatexStrict, rehypeChapterSections],
    // Code blocks follow the site theme; both palettes meet WCAG AA contrast.
    shikiConfig: { themes: { light: 'github-light-high-contrast', dark: 'github-dark' } },
  },
  vite: {
    build: { chunkSizeWarningLimit: 1500 },
  },
});
