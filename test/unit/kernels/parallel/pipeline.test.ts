import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { bubbleFraction, simulatePipeline } from '../../../../kernels/parallel/pipeline';

describe('pipeline bubble (p - 1) / (m + p - 1) against a simulated schedule', () => {
  test('GPipe, p = 4, m = 8: 3/11 of the time idle, makespan 11 (t_f + t_b)', () => {
    const run = simulatePipeline(4, 8, 'gpipe', 1, 2);
    expect(run.makespan).toBe(33);
    expect(run.bubble).toBeCloseTo(3 / 11, 12);
    expect(bubbleFraction(4, 8)).toBeCloseTo(3 / 11, 12);
  });
  test('for any p, m and forward/backward times, GPipe and 1F1B both match the formula', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (p, m, tf, tb) => {
          for (const schedule of ['gpipe', '1f1b'] as const) {
            const run = simulatePipeline(p, m, schedule, tf, tb);
            expect(run.makespan).toBe((m + p - 1) * (tf + tb));
            expect(run.bubble).toBeCloseTo(bubbleFraction(p, m), 12);
          }
        },
      ),
    );
  });
  test('the simulated schedule is valid: no stage runs two ops at once, inputs come first', () => {
    for (const schedule of ['gpipe', '1f1b'] as const) {
      const run = simulatePipeline(5, 7, schedule, 1, 2);
      const end = new Map(run.ops.map((o) => [`${o.kind}:${o.stage}:${o.micro}`, o.end]));
      for (let s = 0; s < 5; s++) {
        const mine = run.ops.filter((o) => o.stage === s).sort((a, b) => a.start - b.start);
        for (let i = 1; i < mine.length; i++) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].end);
      }
      for (const o of run.ops) {
        const dep =
          o.kind === 'F' ? (o.stage > 0 ? `F:${o.stage - 1}:${o.micro}` : null) : o.stage < 4 ? `B:${o.stage + 1}:${o.micro}` : `F:4:${o.micro}`;
        if (dep) expect(o.start).toBeGreaterThanOrEqual(end.get(dep)!);
      }
      expect(run.ops).toHaveLength(2 * 5 * 7);
    }
  });
  test('1F1B holds at most p micro-batches of activations per stage; GPipe holds all m', () => {
    const p = 4;
    const m = 16;
    expect(simulatePipeline(p, m, 'gpipe').peakInFlight).toEqual([16, 16, 16, 16]);
    expect(simulatePipeline(p, m, '1f1b').peakInFlight).toEqual([4, 3, 2, 1]);
  });
  test('the bubble shrinks as m grows: p = 8 gives 7/15 at m = 8 and 7/71 at m = 64', () => {
    expect(bubbleFraction(8, 8)).toBeCloseTo(7 / 15, 12);
    expect(bubbleFraction(8, 64)).toBeCloseTo(7 / 71, 12);
    expect(() => bubbleFraction(0, 4)).toThrow(/positive integer/);
  });
});
