/**
 * The training objective of the preference trainer on the synthetic task: which TRL loss, its
 * hyperparameters, and the CPU reference of one full-batch forward and backward pass. The WGSL
 * kernels in gpu-kernels.ts compute the same thing and are tested against this.
 */
import { dpoLoss, ipoLoss, ktoReferencePoint, ktoTerm, simpoLoss, type PairLoss } from './losses';
import type { CandidateTable, PreferenceData, PreferenceTask } from './task';

export const LOSS_NAMES = ['dpo', 'ipo', 'simpo', 'kto'] as const;
export type PreferenceLossName = (typeof LOSS_NAMES)[number];

export interface LossConfig {
  loss: PreferenceLossName;
  /** DPO/KTO beta, IPO tau, SimPO beta. */
  beta: number;
  /** SimPO target margin. */
  gamma: number;
  /** KTO class weights. */
  desirableWeight: number;
  undesirableWeight: number;
}

export const DEFAULT_LOSS: LossConfig = { loss: 'dpo', beta: 0.1, gamma: 0.5, desirableWeight: 1, undesirableWeight: 1 };

/** The data a loss trains on: pairs for DPO, IPO and SimPO; single labelled completions for KTO. */
export function dataFor(task: PreferenceTask, loss: PreferenceLossName): PreferenceData {
  return loss === 'kto' ? task.unpaired : task.pairs;
}

/** One pair's loss under DPO, IPO or SimPO, from the candidates' policy log-probs. */
export function pairLoss(config: LossConfig, table: CandidateTable, logp: ArrayLike<number>, chosen: number, rejected: number): PairLoss {
  const common = { policyChosen: logp[chosen], policyRejected: logp[rejected], beta: config.beta };
  const refs = { refChosen: table.refLogp[chosen], refRejected: table.refLogp[rejected] };
  const lengths = { chosenLength: table.lengths[chosen], rejectedLength: table.lengths[rejected] };
  switch (config.loss) {
    case 'dpo':
      return dpoLoss({ ...common, ...refs });
    case 'ipo':
      return ipoLoss({ ...common, ...refs, ...lengths });
    case 'simpo':
      return simpoLoss({ ...common, ...lengths, gamma: config.gamma });
    case 'kto':
      throw new Error('KTO has no pairs');
  }
}

/**
 * Mean loss over all examples and d loss / d log pi of every candidate (indexed like `logp`).
 * KTO's reference point z is computed first over the whole batch, as TRL does per batch.
 */
export function lossAndLogpGradient(
  config: LossConfig,
  table: CandidateTable,
  data: PreferenceData,
  k: number,
  logp: ArrayLike<number>,
  dLogp: Float64Array,
): { loss: number; kl: number } {
  dLogp.fill(0);
  const n = data.count;
  let total = 0;
  let z = 0;
  if (config.loss === 'kto') {
    const policyKl = new Float64Array(n);
    const referenceKl = new Float64Array(n);
    forEachExample(data, k, (_p, _first, second, i) => {
      policyKl[i] = logp[second];
      referenceKl[i] = table.refLogp[second];
    });
    z = ktoReferencePoint(policyKl, referenceKl);
  }
  forEachExample(data, k, (_p, first, second, i) => {
    if (config.loss === 'kto') {
      const good = data.desirable[i] === 1;
      const term = ktoTerm(logp[first] - table.refLogp[first], z, good, config.beta, good ? config.desirableWeight : config.undesirableWeight);
      total += term.loss;
      dLogp[first] += term.dLogRatio / n;
    } else {
      const out = pairLoss(config, table, logp, first, second);
      total += out.loss;
      dLogp[first] += out.dPolicyChosen / n;
      dLogp[second] += out.dPolicyRejected / n;
    }
  });
  return { loss: total / n, kl: z };
}

/** Calls fn(prompt, firstIndex, secondIndex, example) with candidate indices into the flattened table. */
export function forEachExample(data: PreferenceData, k: number, fn: (prompt: number, first: number, second: number, example: number) => void): void {
  for (let p = 0; p + 1 < data.promptStart.length; p++) {
    for (let i = data.promptStart[p]; i < data.promptStart[p + 1]; i++) fn(p, p * k + data.first[i], p * k + data.second[i], i);
  }
}

/** Back-propagates through log_softmax per prompt: dLogit_k = dLogp_k - pi_k sum_j dLogp_j. */
export function logSoftmaxBackward(logp: ArrayLike<number>, dLogp: ArrayLike<number>, rows: number, k: number, dLogits: Float32Array): void {
  for (let p = 0; p < rows; p++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += dLogp[p * k + j];
    for (let j = 0; j < k; j++) dLogits[p * k + j] = dLogp[p * k + j] - Math.exp(logp[p * k + j]) * sum;
  }
}
