import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { activationBytes, modelStateBytes } from '../../../../kernels/memory/training-memory';
import { modelParamCount, presetById } from '../../../../kernels/models/presets';
import { maxTrainableParams, paperBytesPerParam, shardModelStates, ZERO_STAGES, type ZeroStage } from '../../../../kernels/zero/memory';
import { printedTolerance, TABLE1_7_5B, TABLE2_64_GPUS } from '../../../../kernels/zero/paper-table';
import { LORA_TARGET_SETS, planTraining, type TrainingSetup } from '../../../../kernels/zero/plan';
import { shapeForParams } from '../../../../kernels/models/custom-shape';
import { weightTensorSizes, zero3Residency } from '../../../../kernels/zero/shape';

const GB = 1e9;
const fullStates = (params: number) => modelStateBytes({ method: 'full', params });
const perGpuGB = (params: number, stage: ZeroStage, gpus: number) => shardModelStates(fullStates(params), { stage, gpus }).total / GB;

describe('ZeRO paper, Table 1 (7.5B model, K = 12)', () => {
  for (const row of TABLE1_7_5B.rows) {
    test(`N = ${row.gpus}: DP ${TABLE1_7_5B.baselineGB}, P_os ${row.os}, P_os+g ${row.osg}, P_os+g+p ${row.osgp} GB`, () => {
      const printed: [ZeroStage, number][] = [
        [0, TABLE1_7_5B.baselineGB],
        [1, row.os],
        [2, row.osg],
        [3, row.osgp],
      ];
      for (const [stage, value] of printed) {
        expect(Math.abs(perGpuGB(TABLE1_7_5B.params, stage, row.gpus) - value)).toBeLessThanOrEqual(printedTolerance(value));
      }
    });
  }
  test('64 GPUs exactly: 120, 31.40625, 16.640625, 1.875 GB', () => {
    expect([0, 1, 2, 3].map((s) => perGpuGB(7.5e9, s as ZeroStage, 64))).toEqual([120, 31.40625, 16.640625, 1.875]);
  });
});

describe('ZeRO paper, Table 2 (largest model on 64 GPUs of 32 GB)', () => {
  const t = TABLE2_64_GPUS;
  const printed: [ZeroStage, number][] = [
    [0, t.baseline],
    [1, t.os],
    [2, t.osg],
    [3, t.osgp],
  ];
  for (const [stage, billions] of printed) {
    test(`stage ${stage}: ${billions}B`, () => {
      const computed = maxTrainableParams(stage, t.gpus, t.memoryGB * GB) / 1e9;
      expect(Math.abs(computed - billions)).toBeLessThanOrEqual(printedTolerance(billions));
    });
  }
});

describe('closed forms', () => {
  test('sharding the 2 + 2 + 12 bytes equals the paper formulas for any psi and N', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e6, max: 1e12, noNaN: true }), fc.integer({ min: 1, max: 4096 }), (params, gpus) => {
        for (const stage of ZERO_STAGES) {
          const bytes = shardModelStates(fullStates(params), { stage, gpus }).total;
          expect(bytes / params).toBeCloseTo(paperBytesPerParam(stage, gpus), 9);
        }
      }),
    );
  });
  test('errata formulas: DP 16 psi, ZeRO-1 4 psi + 12 psi/N, ZeRO-2 2 psi + 14 psi/N, ZeRO-3 16 psi/N', () => {
    const psi = 1e9;
    const n = 8;
    const got = ZERO_STAGES.map((stage) => shardModelStates(fullStates(psi), { stage, gpus: n }).total);
    expect(got).toEqual([16 * psi, 4 * psi + (12 * psi) / n, 2 * psi + (14 * psi) / n, (16 * psi) / n]);
  });
  test('ZeRO-3 tends to 16 psi / N, ZeRO-1 to 4 psi and ZeRO-2 to 2 psi as N grows', () => {
    const psi = 7e9;
    for (const n of [2, 64, 1024, 2 ** 20]) {
      expect(shardModelStates(fullStates(psi), { stage: 3, gpus: n }).total * n).toBeCloseTo(16 * psi, 0);
    }
    const huge = 2 ** 30;
    expect(shardModelStates(fullStates(psi), { stage: 1, gpus: huge }).total / psi).toBeCloseTo(4, 6);
    expect(shardModelStates(fullStates(psi), { stage: 2, gpus: huge }).total / psi).toBeCloseTo(2, 6);
  });
  test('one GPU: every stage holds the full 16 psi', () => {
    for (const stage of ZERO_STAGES) expect(perGpuGB(7e9, stage, 1)).toBe(112);
  });
});

describe('memory never rises from one stage to the next', () => {
  const arbitrarySetup = fc.record({
    preset: fc.constantFrom('1.3b', '7b', '13b', '70b'),
    scale: fc.double({ min: 0.2, max: 5, noNaN: true }),
    method: fc.constantFrom('full', 'lora', 'qlora'),
    rank: fc.integer({ min: 1, max: 256 }),
    targets: fc.constantFrom('qv', 'attention', 'all'),
    gpus: fc.integer({ min: 1, max: 512 }),
    offload: fc.boolean(),
    checkpointing: fc.boolean(),
  });
  test('for random models, methods, GPU counts and offload', () => {
    fc.assert(
      fc.property(arbitrarySetup, (a) => {
        const params = modelParamCount(presetById(a.preset)) * a.scale;
        const setup: TrainingSetup = {
          params,
          shape: shapeForParams(params),
          method: a.method as TrainingSetup['method'],
          loraRank: a.rank,
          loraTargets: LORA_TARGET_SETS[a.targets as keyof typeof LORA_TARGET_SETS],
          seqLen: 2048,
          microBatch: 1,
          checkpointing: a.checkpointing,
          gpus: a.gpus,
          gpuMemoryBytes: 80 * GB,
          offloadOptimizer: a.offload,
          busBandwidth: 100 * GB,
          pcieBandwidth: 25 * GB,
          flopsPerSecond: 150e12,
        };
        const totals = planTraining(setup).stages.map((s) => s.total);
        for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeLessThanOrEqual(totals[i - 1] * (1 + 1e-12));
      }),
    );
  });
});

describe('LoRA and QLoRA on LLaMA-2-7B, r = 16 on all linear layers, 8 GPUs (hand-computed)', () => {
  // psi = 32 layers x (4 x 4096^2 + 3 x 4096 x 11008 + 2 x 4096) + 2 x 32000 x 4096 + 4096
  const psi = 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096) + 2 * 32000 * 4096 + 4096;
  // adapter = 32 layers x 16 x (4 x (4096 + 4096) + 2 x (4096 + 11008) + (11008 + 4096))
  const adapter = 32 * 16 * (4 * 8192 + 2 * 15104 + 15104);
  const linear = 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008);
  const setup = (method: 'lora' | 'qlora', offload = false): TrainingSetup => ({
    params: psi,
    shape: presetById('7b'),
    method,
    loraRank: 16,
    loraTargets: LORA_TARGET_SETS.all,
    seqLen: 2048,
    microBatch: 1,
    checkpointing: true,
    gpus: 8,
    gpuMemoryBytes: 80 * GB,
    offloadOptimizer: offload,
    busBandwidth: 100 * GB,
    pcieBandwidth: 25 * GB,
    flopsPerSecond: 150e12,
  });

  test('counts: psi = 6,738,415,616, adapter = 39,976,960', () => {
    expect(psi).toBe(6_738_415_616);
    expect(adapter).toBe(39_976_960);
    expect(planTraining(setup('lora')).trainableParams).toBe(adapter);
  });

  test('LoRA: frozen weights stay whole until ZeRO-3; only the adapter has gradients and Adam states', () => {
    const stages = planTraining(setup('lora')).stages.map((s) => s.states);
    const weights = 2 * psi + 2 * adapter; // 13,556,785,152 bytes
    expect(weights).toBe(13_556_785_152);
    expect(stages[0]).toMatchObject({ weights, gradients: 2 * adapter, optimizer: 12 * adapter });
    expect(stages[1]).toMatchObject({ weights, gradients: 2 * adapter, optimizer: (12 * adapter) / 8 });
    expect(stages[2]).toMatchObject({ weights, gradients: (2 * adapter) / 8, optimizer: (12 * adapter) / 8 });
    expect(stages[2].weights + stages[2].gradients + stages[2].optimizer).toBe(13_626_744_832);
    expect(stages[3]).toMatchObject({ weights: weights / 8, gradients: (2 * adapter) / 8, optimizer: (12 * adapter) / 8 });
    // ZeRO-2 saves only 14 x adapter x 7/8 bytes over DP: about 0.49 GB of 14.2 GB.
    expect(stages[0].total - stages[2].total).toBeCloseTo((14 * adapter * 7) / 8, 3);
  });

  test('QLoRA: linear layers at 4 + 8/64 + 32/(64 x 256) bits, the rest in bf16', () => {
    const nf4Bytes = (4 + 8 / 64 + 32 / (64 * 256)) / 8; // 0.515869140625 bytes per weight
    expect(nf4Bytes).toBe(0.515869140625);
    const weights = linear * nf4Bytes + (psi - linear) * 2 + 2 * adapter;
    expect(weights).toBe(3_945_545_728); // 3,340,771,328 (NF4) + 524,820,480 (bf16 rest) + 79,953,920 (adapter)
    const stages = planTraining(setup('qlora')).stages.map((s) => s.states);
    expect(stages[2].weights).toBeCloseTo(weights, 0);
    expect(stages[3].weights).toBeCloseTo(weights / 8, 0);
  });

  test('offload with ZeRO-2: the GPU keeps only the weights; the CPU gets 12 + 4 bytes per adapter parameter / N', () => {
    const z2 = planTraining(setup('lora', true)).stages[2];
    expect(z2.states.gradients).toBe(0);
    expect(z2.states.optimizer).toBe(0);
    expect(z2.states.cpu).toBe((16 * adapter) / 8);
  });
});

describe('offload against DeepSpeed estimate_zero2_model_states_mem_needs (cpu_offload=True: gpu_mem = 2 x params)', () => {
  test('full training, 1 to 64 GPUs', () => {
    for (const gpus of [1, 2, 8, 64]) {
      expect(shardModelStates(fullStates(1.3e9), { stage: 2, gpus, offloadOptimizer: true }).total).toBe(2 * 1.3e9);
    }
  });
});

describe('bad input', () => {
  test('zero GPUs, fractional GPUs, offload without ZeRO', () => {
    expect(() => shardModelStates(fullStates(1e9), { stage: 1, gpus: 0 })).toThrow(/positive integer/);
    expect(() => shardModelStates(fullStates(1e9), { stage: 1, gpus: 1.5 })).toThrow(/positive integer/);
    expect(() => shardModelStates(fullStates(1e9), { stage: 0, gpus: 2, offloadOptimizer: true })).toThrow(/ZeRO stage/);
  });
});

describe("ZeRO-3's resident set under DeepSpeed's defaults", () => {
  const r = zero3Residency(presetById('7b'));
  test('LLaMA-2-7B: the largest module is an embedding (32000 x 4096), a block 202M linear weights', () => {
    expect(r.largestModule).toBe(32000 * 4096);
    expect(r.block).toBe(4 * 4096 * 4096 + 3 * 4096 * 11008);
  });
  test('the 65 norm weights (4096 each) are below the persistence threshold; no matrix is', () => {
    expect(r.persistentTensors).toBe(65);
    expect(r.persistent).toBe(65 * 4096);
  });
  test('max live parameters is 10^9 elements, about 5 blocks: 2 GB in bf16', () => {
    expect(r.maxLive).toBe(1e9);
    expect(r.maxLive / r.block).toBeGreaterThan(4.9);
  });
  test('a model smaller than max live can keep at most all its parameters', () => {
    const tiny = { ...presetById('7b'), layers: 1, vocab: 1000 };
    const t = zero3Residency(tiny);
    expect(t.maxLive).toBe(weightTensorSizes(tiny).reduce((a, b) => a + b, 0));
  });
});

describe('tensor and sequence parallelism (Korthikanti et al. 2022, table 2)', () => {
  const base = { seqLen: 2048, microBatch: 1, hidden: 4096, layers: 32, heads: 32, checkpointing: false, flashAttention: false };
  const sbh = 2048 * 4096;
  test('per-layer activations: 34 + 5as/h; with t: 10 + 24/t + 5as/(ht); with sequence parallelism: 34/t + 5as/(ht)', () => {
    const scores = (5 * 32 * 2048) / 4096;
    expect(activationBytes(base)).toBeCloseTo(32 * sbh * (34 + scores), 0);
    expect(activationBytes({ ...base, tensorParallel: 4 })).toBeCloseTo(32 * sbh * (10 + 24 / 4 + scores / 4), 0);
    expect(activationBytes({ ...base, tensorParallel: 4, sequenceParallel: true })).toBeCloseTo((32 * sbh * (34 + scores)) / 4, 0);
  });
  test('full checkpointing keeps 2sbh per layer, split t ways only with sequence parallelism', () => {
    const ck = { ...base, checkpointing: true, flashAttention: true };
    expect(activationBytes({ ...ck, tensorParallel: 4 })).toBeCloseTo(32 * 2 * sbh + sbh * (10 + 6), 0);
    expect(activationBytes({ ...ck, tensorParallel: 4, sequenceParallel: true })).toBeCloseTo((32 * 2 * sbh) / 4 + (sbh * 34) / 4, 0);
  });
  test('a plan with t = 4 on 16 GPUs: each GPU holds a quarter of a replica sharded over 4 ranks; TP traffic is counted', () => {
    const setup = {
      params: modelParamCount(presetById('7b')),
      shape: presetById('7b'),
      method: 'full' as const,
      loraRank: 16,
      loraTargets: LORA_TARGET_SETS.all,
      seqLen: 2048,
      microBatch: 1,
      checkpointing: true,
      gpus: 16,
      gpuMemoryBytes: 80e9,
      offloadOptimizer: false,
      busBandwidth: 100e9,
      pcieBandwidth: 25e9,
      flopsPerSecond: 150e12,
    };
    const flat = planTraining({ ...setup, gpus: 4 });
    const tp = planTraining({ ...setup, tensorParallel: 4, sequenceParallel: true });
    // ZeRO-1 over 4 replicas of a quarter each: a quarter of ZeRO-1 over 4 GPUs.
    expect(tp.stages[1].states.optimizer).toBeCloseTo(flat.stages[1].states.optimizer / 4, 0);
    expect(tp.stages[0].tpBytes).toBe(32 * 6 * ((2 * 3) / 4) * 2 * 2048 * 4096);
    expect(tp.flops).toBeCloseTo(flat.flops / 4, 0);
    expect(() => planTraining({ ...setup, gpus: 6, tensorParallel: 4 })).toThrow(/divisible/);
  });
});
