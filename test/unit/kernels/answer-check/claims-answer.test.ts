import { describe, expect, it } from 'vitest';
import { gradeClaims, isTermList, type Claim } from '../../../../kernels/answer-check/claims';
import { toSimplified } from '../../../../kernels/answer-check/chinese';

const LORA: Claim[] = [
  { point: 'W0 frozen', phrases: ['frozen', 'freeze', 'held fixed', 'not updated', '冻结', '不更新'], contradicts: ['W is updated', '更新原始权重'] },
  { point: 'low-rank update', phrases: ['low rank', 'thin matric*', '低秩'] },
  { point: 'B starts at zero', phrases: ['B & zero', 'B & 0', 'B 初始化为零', 'B & 零'], contradicts: ['both & zero', 'A 和 B 都'] },
  { point: 'rsLoRA', phrases: ['rslora', '√r'] },
];
const status = (answer: string) => Object.fromEntries(gradeClaims(answer, LORA).findings.map((f) => [f.point, f.status]));

describe('claims', () => {
  it('finds claims by stem, in other words, in Chinese, Simplified and Traditional', () => {
    const g = gradeClaims('LoRA freezes W0 and trains two thin matrices; B is initialised to zero. rsLoRA scales by α/√r.', LORA);
    expect(g.findings.map((f) => f.status)).toEqual(['found', 'found', 'found', 'found']);
    expect(g.score).toBe(1);
    expect(g.findings[2].evidence).toBe('B is initialised to zero.');
    expect(status('The weights are held fixed.')['W0 frozen']).toBe('found');
    expect(status('基座權重凍結，只訓練低秩矩陣，B 初始化為零。')).toMatchObject({
      'W0 frozen': 'found',
      'low-rank update': 'found',
      'B starts at zero': 'found',
    });
    expect(toSimplified('凍結權重，軟體')).toBe('冻结权重，软件');
    expect(toSimplified('no Chinese here')).toBe('no Chinese here');
  });

  it('a negated claim is contradicted, in English and Chinese, and costs credit', () => {
    expect(status('The base weights are not frozen.')['W0 frozen']).toBe('contradicted');
    expect(status("B isn't zero at the start.")['B starts at zero']).toBe('contradicted');
    expect(status('W0 不冻结。')['W0 frozen']).toBe('contradicted');
    // A claim whose own phrasing is negative is found, not contradicted.
    expect(status('W0 is not updated.')['W0 frozen']).toBe('found');
    // Said plainly elsewhere, a claim is made even if a sentence about something else denies it.
    expect(status('W0 is frozen. Adapters are not frozen.')['W0 frozen']).toBe('found');
    // A-not-A questions ("whether") negate nothing.
    expect(status('检查有没有冻结 W0。')['W0 frozen']).toBe('found');
    const g = gradeClaims('W is updated directly, and the update is low rank.', LORA);
    expect(g.findings[0]).toMatchObject({ status: 'contradicted', because: 'W is updated' });
    expect(g.score).toBe(0); // one found, one contradicted
  });

  it('a misconception the card targets contradicts its claim', () => {
    expect(status('Both A and B start at zero.')['B starts at zero']).toBe('contradicted');
    expect(status('A 和 B 都初始化为零。')['B starts at zero']).toBe('contradicted');
  });

  it('matches whole words and notation as written', () => {
    expect(status('The unfrozen layers train.')['W0 frozen']).toBe('missing');
    expect(status('it scales by 1/r')['rsLoRA']).toBe('missing'); // "r" alone is not "√r"
  });

  it('a list of terms states nothing and earns nothing; a terse answer is not a list', () => {
    expect(isTermList('low rank, frozen, B zero, rsLoRA')).toBe(true);
    expect(isTermList('低秩，冻结，B 为零')).toBe(true);
    expect(gradeClaims('low rank, frozen, B zero, rsLoRA', LORA)).toMatchObject({ termList: true, score: 0 });
    expect(isTermList('Freeze W0, train a low-rank BA; B starts at zero.')).toBe(false);
    expect(isTermList('W0 is frozen.')).toBe(false);
    expect(isTermList('先写标注指南和种子数据，保证数据多样、覆盖各种情况。')).toBe(false);
  });

  it('"about" requires the sentence to name its subject', () => {
    const claims: Claim[] = [{ point: 'LoRA merges', phrases: ['merg*'], about: ['lora'] }];
    expect(gradeClaims('Adapters can be merged.', claims).findings[0].status).toBe('missing');
    expect(gradeClaims('LoRA can be merged into the weights.', claims).findings[0].status).toBe('found');
  });
});
