import { describe, expect, it } from 'vitest';
import { matchRubric, phraseMatches, type RubricPoint } from '../../../../kernels/answer-check/rubric';

const LORA_WHY: RubricPoint[] = [
  {
    point: 'ΔW is low rank',
    phrases: ['low rank', 'intrinsic rank', 'low dimensional', '低秩', '秩很低'],
  },
  {
    point: 'B starts at zero',
    phrases: ['B & zero', 'B & 0', 'zero init*', 'B 初始化为 0', 'B 初始化为零', 'B & 零'],
  },
  { point: 'scale α/r', phrases: ['alpha & r', 'α & r', 'scal*', '缩放'] },
];

describe('rubric matching', () => {
  const cases: [string, string[]][] = [
    [
      'The update ΔW has a low-rank structure, so BA with B initialised to zero is enough. It is scaled by alpha over r.',
      ['ΔW is low rank', 'B starts at zero', 'scale α/r'],
    ],
    ['Fine-tuning updates have LOW   RANK. B = 0 at init.', ['ΔW is low rank', 'B starts at zero']],
    ['LoRA 假设权重更新是低秩的，B 初始化为零，用 α/r 缩放。', ['ΔW is low rank', 'B starts at zero', 'scale α/r']],
    ['权重更新的秩很低。B 矩阵初始化为 0', ['ΔW is low rank', 'B starts at zero']],
    ['权重更新的秩很低。A 矩阵随机初始化', ['ΔW is low rank']],
    ['It uses zero initialization for one matrix.', ['B starts at zero']],
    ['Nothing relevant here.', []],
    ['Rank is low. Zero is nice. B is random.', []],
    ['B is set to zero so that the first forward pass matches the base model.', ['B starts at zero']],
    ['A scaling factor multiplies the update.', ['scale α/r']],
  ];
  it.each(cases)('%s', (answer, expected) => {
    const r = matchRubric(answer, LORA_WHY);
    expect(r.covered).toEqual(expected);
    expect(r.missed).toEqual(LORA_WHY.map((p) => p.point).filter((p) => !expected.includes(p)));
    expect(r.score).toBeCloseTo(expected.length / LORA_WHY.length, 12);
  });

  it('matches whole words only, with * for endings', () => {
    expect(phraseMatches('rank', 'the rank is 8')).toBe(true);
    expect(phraseMatches('rank', 'we cranked it up')).toBe(false);
    expect(phraseMatches('rank', 'ranks')).toBe(false);
    expect(phraseMatches('rank*', 'ranks')).toBe(true);
    expect(phraseMatches('all linear layers', 'use ALL-LINEAR layers')).toBe(true);
    expect(phraseMatches('q_proj & v_proj', 'only q proj and v proj')).toBe(true);
    expect(phraseMatches('0.5 bit', 'the scales cost 0.5 bit per weight')).toBe(true);
  });

  it('requires & parts in one sentence', () => {
    expect(phraseMatches('B & zero', 'B is zero.')).toBe(true);
    expect(phraseMatches('B & zero', 'B is random. A is zero.')).toBe(false);
    expect(phraseMatches('显存 & 减少', '这样显存会减少')).toBe(true);
    expect(phraseMatches('显存 & 减少', '显存很大。速度减少')).toBe(false);
  });
});
