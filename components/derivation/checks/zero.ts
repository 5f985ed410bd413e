/**
 * Live checks beside the derivation steps of the ZeRO chapter (content/chapters/zero.mdx).
 * Each draws a fresh configuration from the reader's seed and recomputes one claim with the
 * code in kernels/zero/ and kernels/parallel/.
 */
import type { Rng } from '../../../kernels/random/rng';
import type { CheckFn } from '../types';
import { activationBytes, modelStateBytes } from '../../../kernels/memory/training-memory';
import { modelParamCount, MODEL_PRESETS, presetById } from '../../../kernels/models/presets';
import { communicationPerStep, ringCollectiveFactor, simulateRingAllReduce } from '../../../kernels/zero/communication';
import { formatGB, formatParams } from '../../../kernels/zero/format';
import { shardModelStates, ZERO_STAGES, type ZeroStage } from '../../../kernels/zero/memory';
import { printedTolerance, TABLE1_7_5B } from '../../../kernels/zero/paper-table';
import { DEEPSPEED_STAGE3_DEFAULTS, zero3Residency } from '../../../kernels/zero/shape';
import { crossNodeBytes, hpzExtraBytes } from '../../../kernels/zero/zeropp';
import { LORA_TARGET_SETS, planTraining, type TrainingSetup } from '../../../kernels/zero/plan';
import { bubbleFraction, simulatePipeline } from '../../../kernels/parallel/pipeline';

/** A model size between 0.5B and 200B parameters, log-uniform. */
function randomParams(rng: Rng): number {
  return Math.round(Math.exp(Math.log(0.5e9) + rng.next() * Math.log(400)) / 1e6) * 1e6;
}
/** A power-of-two GPU count from 2 to 1024. */
function randomGpus(rng: Rng): number {
  return 2 ** (1 + rng.int(10));
}
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1);

function stageCheck(stage: ZeroStage, formula: string, perParam: (n: number) => number): CheckFn {
  return (rng) => {
    const psi = randomParams(rng);
    const n = randomGpus(rng);
    const got = shardModelStates(modelStateBytes({ method: 'full', params: psi }), { stage, gpus: n }).total;
    const expected = perParam(n) * psi;
    return {
      label: `${formula} for ψ = ${formatParams(psi)}, N = ${n}`,
      value: `sharded: ${formatGB(got)}; formula: ${formatGB(expected)}`,
      ok: close(got, expected),
    };
  };
}

function setupFor(rng: Rng, method: TrainingSetup['method']): TrainingSetup {
  const shape = MODEL_PRESETS[rng.int(MODEL_PRESETS.length)];
  return {
    params: modelParamCount(shape),
    shape,
    method,
    loraRank: 2 ** (2 + rng.int(5)),
    loraTargets: LORA_TARGET_SETS.all,
    seqLen: 1024 * (1 + rng.int(4)),
    microBatch: 1 + rng.int(4),
    checkpointing: rng.next() < 0.5,
    gpus: randomGpus(rng),
    gpuMemoryBytes: 80e9,
    offloadOptimizer: false,
    busBandwidth: 100e9,
    pcieBandwidth: 25e9,
    flopsPerSecond: 150e12,
  };
}

export const checks: Record<string, CheckFn> = {
  /** 2 + 2 + 12 bytes per trained parameter. */
  'bytes-per-param': (rng) => {
    const psi = randomParams(rng);
    const s = modelStateBytes({ method: 'full', params: psi });
    return {
      label: `weights + gradients + optimizer states for ψ = ${formatParams(psi)}`,
      value: `${formatGB(s.weights)} + ${formatGB(s.gradients)} + ${formatGB(s.optimizer)} = ${((s.weights + s.gradients + s.optimizer) / psi).toFixed(0)} bytes × ψ`,
      ok: s.weights === 2 * psi && s.gradients === 2 * psi && s.optimizer === 12 * psi,
    };
  },
  zero1: stageCheck(1, 'ZeRO-1 = 4ψ + 12ψ/N', (n) => 4 + 12 / n),
  zero2: stageCheck(2, 'ZeRO-2 = 2ψ + 14ψ/N', (n) => 2 + 14 / n),
  zero3: stageCheck(3, 'ZeRO-3 = 16ψ/N', (n) => 16 / n),

  /** ZeRO-3's resident set under DeepSpeed's defaults, next to the one-module term, in bf16 bytes. */
  'zero3-residency': (rng) => {
    const id = ['7b', '13b', '70b'][rng.int(3)];
    const r = zero3Residency(presetById(id));
    const bf16 = (n: number) => formatGB(2 * n);
    return {
      label: `LLaMA-2-${id.toUpperCase()} in bf16: largest module; one block's linears; prefetch bucket; max live parameters; never-partitioned tensors (< 10⁵ elements)`,
      value: `${bf16(r.largestModule)}; ${bf16(r.block)}; ${bf16(r.prefetchBucket)}; ${bf16(r.maxLive)}; ${r.persistentTensors} tensors, ${((2 * r.persistent) / 1e6).toFixed(2)} MB`,
      ok: r.maxLive === DEEPSPEED_STAGE3_DEFAULTS.maxLiveParameters && r.maxLive > r.block && r.block > r.largestModule && r.persistent > 0,
    };
  },

  /** ZeRO++: 6 bytes per parameter across nodes for ZeRO-3, 1.5 with qwZ, hpZ and qgZ; hpZ's memory price. */
  zeropp: (rng) => {
    const psi = randomParams(rng);
    const perNode = [4, 8][rng.int(2)];
    const z3 = crossNodeBytes(psi, { quantizedWeights: false, hierarchicalPartition: false, quantizedGradients: false });
    const zpp = crossNodeBytes(psi, { quantizedWeights: true, hierarchicalPartition: true, quantizedGradients: true });
    return {
      label: `ψ = ${formatParams(psi)}: bytes across nodes per step, ZeRO-3 and ZeRO++; hpZ's extra weights per GPU with ${perNode} GPUs per node`,
      value: `${formatGB(z3.total)} and ${formatGB(zpp.total)} (${(z3.total / zpp.total).toFixed(1)}×); +${formatGB(hpzExtraBytes(psi, perNode))}`,
      ok: close(z3.total, 6 * psi) && close(zpp.total, 1.5 * psi),
    };
  },

  /** A random row of the paper's Table 1, recomputed. */
  'paper-table': (rng) => {
    const row = TABLE1_7_5B.rows[1 + rng.int(TABLE1_7_5B.rows.length - 1)];
    const states = modelStateBytes({ method: 'full', params: TABLE1_7_5B.params });
    const printed = [TABLE1_7_5B.baselineGB, row.os, row.osg, row.osgp];
    const got = ZERO_STAGES.map((stage) => shardModelStates(states, { stage, gpus: row.gpus }).total / 1e9);
    return {
      label: `7.5B model on ${row.gpus} GPUs (paper, Table 1: ${printed.join(' / ')} GB)`,
      value: got.map((g) => (g < 10 ? g.toFixed(3) : g.toFixed(2))).join(' / ') + ' GB',
      ok: got.every((g, i) => Math.abs(g - printed[i]) <= printedTolerance(printed[i])),
    };
  },

  /** Ring all-reduce: every GPU ends with the sum and sends 2 (N-1)/N of the tensor. */
  'ring-allreduce': (rng) => {
    const n = 2 + rng.int(7);
    const length = n * (1 + rng.int(16));
    const inputs = Array.from({ length: n }, () => Float64Array.from({ length }, () => rng.normal()));
    const { outputs, sentPerWorker } = simulateRingAllReduce(inputs);
    let maxError = 0;
    for (let k = 0; k < length; k++) {
      const sum = inputs.reduce((acc, v) => acc + v[k], 0);
      for (const out of outputs) maxError = Math.max(maxError, Math.abs(out[k] - sum));
    }
    const expected = 2 * ringCollectiveFactor(n) * length;
    return {
      label: `ring all-reduce of ${length} numbers over N = ${n} GPUs: elements sent per GPU vs 2(N−1)/N × ${length}; max error of the sums`,
      value: `${sentPerWorker[0]} vs ${expected}; ${maxError.toExponential(1)}`,
      ok: sentPerWorker.every((s) => s === expected) && maxError < 1e-9,
    };
  },

  /** ZeRO-3 moves 1.5x what DP moves; ZeRO-1 and ZeRO-2 the same. */
  'comm-volume': (rng) => {
    const psi = randomParams(rng);
    const n = randomGpus(rng);
    const volume = ZERO_STAGES.map((stage) => communicationPerStep({ stage, gpus: n, trainableParams: psi, weightBytes: 2 * psi }).bytes);
    const ratios = volume.map((v) => v / volume[0]);
    return {
      label: `bytes sent per GPU per step relative to DP, ψ = ${formatParams(psi)}, N = ${n} (DP, ZeRO-1, ZeRO-2, ZeRO-3)`,
      value: ratios.map((r) => r.toFixed(3)).join(', ') + ` (DP: ${formatGB(volume[0])})`,
      ok: close(ratios[1], 1) && close(ratios[2], 1) && close(ratios[3], 1.5),
    };
  },

  /** Activation checkpointing keeps one 2sbh input per layer plus one layer's full activations. */
  activations: (rng) => {
    const shape = MODEL_PRESETS[rng.int(MODEL_PRESETS.length)];
    const s = 512 * (1 + rng.int(8));
    const b = 1 + rng.int(8);
    const base = { seqLen: s, microBatch: b, hidden: shape.hidden, layers: shape.layers, heads: shape.heads };
    const full = activationBytes({ ...base, checkpointing: false });
    const kept = activationBytes({ ...base, checkpointing: true });
    const sbh = s * b * shape.hidden;
    return {
      label: `${shape.label}, s = ${s}, b = ${b}: activations without / with checkpointing`,
      value: `${formatGB(full)} / ${formatGB(kept)} (${(full / kept).toFixed(1)}× less)`,
      ok: close(full, 34 * sbh * shape.layers) && close(kept, 2 * sbh * shape.layers + 34 * sbh),
    };
  },

  /** ZeRO-Offload with ZeRO-2: only the 16-bit weights stay on the GPU. */
  offload: (rng) => {
    const psi = randomParams(rng);
    const n = randomGpus(rng);
    const z = shardModelStates(modelStateBytes({ method: 'full', params: psi }), { stage: 2, gpus: n, offloadOptimizer: true });
    return {
      label: `ZeRO-2 + optimizer offload, ψ = ${formatParams(psi)}, N = ${n}: GPU vs 2ψ; CPU vs 16ψ/N`,
      value: `${formatGB(z.total)} vs ${formatGB(2 * psi)}; ${formatGB(z.cpu)} vs ${formatGB((16 * psi) / n)}`,
      ok: close(z.total, 2 * psi) && close(z.cpu, (16 * psi) / n),
    };
  },

  /**
   * LoRA: ZeRO-2 saves only the adapter's gradients and Adam states, 14a (N-1)/N bytes, while
   * ZeRO-3 adds two all-gathers of every frozen weight: (2W + 2a) / 4a times ZeRO-2's traffic.
   */
  'lora-zero2-vs-zero3': (rng) => {
    const setup = setupFor(rng, 'lora');
    const plan = planTraining(setup);
    const a = plan.trainableParams;
    const n = setup.gpus;
    const [dp, , z2, z3] = plan.stages;
    const saved = dp.total - z2.total;
    const traffic = z3.comm.bytes / z2.comm.bytes;
    return {
      label: `LoRA r = ${setup.loraRank} on ${setup.shape.label}, N = ${n}: bytes ZeRO-2 saves over DP vs 14a(N−1)/N; ZeRO-3 ÷ ZeRO-2 traffic vs (2W + 2a)/4a`,
      value: `${formatGB(saved)} (${((100 * saved) / dp.total).toFixed(1)}% of ${formatGB(dp.total)}); ${traffic.toFixed(0)}×`,
      ok: close(saved, (14 * a * (n - 1)) / n) && close(traffic, (2 * plan.replica.weights + 2 * a) / (4 * a)),
    };
  },

  /** Total per-GPU memory never rises from one stage to the next. */
  monotone: (rng) => {
    const method = (['full', 'lora', 'qlora'] as const)[rng.int(3)];
    const setup = { ...setupFor(rng, method), offloadOptimizer: rng.next() < 0.5 };
    const totals = planTraining(setup).stages.map((s) => s.total);
    return {
      label: `${method}, ${setup.shape.label}, N = ${setup.gpus}${setup.offloadOptimizer ? ', offload' : ''}: DP, ZeRO-1, ZeRO-2, ZeRO-3 per GPU`,
      value: totals.map(formatGB).join(' ≥ '),
      ok: totals.every((t, i) => i === 0 || t <= totals[i - 1]),
    };
  },

  /** The bubble formula against a simulated GPipe schedule. */
  bubble: (rng) => {
    const p = 2 + rng.int(7);
    const m = 1 + rng.int(32);
    const run = simulatePipeline(p, m, 'gpipe', 1, 2);
    const formula = bubbleFraction(p, m);
    return {
      label: `GPipe, p = ${p} stages, m = ${m} micro-batches: idle fraction simulated vs (p−1)/(m+p−1)`,
      value: `${run.bubble.toFixed(4)} vs ${formula.toFixed(4)}`,
      ok: Math.abs(run.bubble - formula) < 1e-12,
    };
  },

  /** 1F1B: same bubble, fewer micro-batches in flight. */
  '1f1b': (rng) => {
    const p = 2 + rng.int(7);
    const m = 2 * p + rng.int(16);
    const gpipe = simulatePipeline(p, m, 'gpipe');
    const oneF = simulatePipeline(p, m, '1f1b');
    return {
      label: `p = ${p}, m = ${m}: bubble GPipe vs 1F1B; most micro-batches held by stage 0`,
      value: `${gpipe.bubble.toFixed(4)} vs ${oneF.bubble.toFixed(4)}; ${gpipe.peakInFlight[0]} vs ${oneF.peakInFlight[0]}`,
      ok: Math.abs(gpipe.bubble - oneF.bubble) < 1e-12 && gpipe.peakInFlight[0] === m && oneF.peakInFlight[0] === p,
    };
  },
};
