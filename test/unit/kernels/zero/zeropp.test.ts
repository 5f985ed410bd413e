import { describe, expect, it } from 'vitest';
import { crossNodeBytes, hpzExtraBytes } from '../../../../kernels/zero/zeropp';

describe('ZeRO++ cross-node traffic (Wang et al. 2023)', () => {
  const psi = 7e9;
  const none = { quantizedWeights: false, hierarchicalPartition: false, quantizedGradients: false };
  it('ZeRO-3 moves 2 + 2 + 2 bytes per parameter across nodes', () => {
    expect(crossNodeBytes(psi, none)).toEqual({ forwardAllGather: 14e9, backwardAllGather: 14e9, gradients: 14e9, total: 42e9 });
  });
  it('qwZ halves the forward all-gather, hpZ removes the backward one, qgZ quarters the gradients: 4x in all', () => {
    expect(crossNodeBytes(psi, { ...none, quantizedWeights: true }).forwardAllGather).toBe(7e9);
    expect(crossNodeBytes(psi, { ...none, hierarchicalPartition: true }).backwardAllGather).toBe(0);
    expect(crossNodeBytes(psi, { ...none, quantizedGradients: true }).gradients).toBe(3.5e9);
    const all = crossNodeBytes(psi, { quantizedWeights: true, hierarchicalPartition: true, quantizedGradients: true });
    expect(all.total).toBe(10.5e9);
    expect(crossNodeBytes(psi, none).total / all.total).toBe(4);
  });
  it('hpZ keeps a node-local copy: 2 psi / (GPUs per node) more per GPU', () => {
    expect(hpzExtraBytes(psi, 8)).toBe(1.75e9);
    expect(() => hpzExtraBytes(psi, 0)).toThrow(/positive integer/);
  });
});
