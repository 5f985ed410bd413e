import { describe, expect, it } from 'vitest';
import { embedSnippet } from '../../../../components/widget-base/embed-snippet';

describe('the embed snippet', () => {
  const s = embedSnippet({
    origin: 'https://course.example',
    path: '/embed/lora-params/?v=1&rank=16',
    title: 'LoRA "parameter" calculator',
    height: 520,
  });
  it('is an iframe at the course origin with a title, clipboard permission and the fixed height', () => {
    expect(s.startsWith('<iframe src="https://course.example/embed/lora-params/?v=1&amp;rank=16"')).toBe(true);
    expect(s).toContain('title="LoRA &quot;parameter&quot; calculator"');
    expect(s).toContain('allow="clipboard-write"');
    expect(s).toContain('height="520"');
  });
  it('carries a resize script that accepts messages from the course origin only', () => {
    expect(s).toContain(`e.origin !== "https://course.example"`);
    expect(s).toContain("e.data?.type !== 'ft:resize'");
    expect(s.split('\n')[1]).toBe('<script>');
  });
});
