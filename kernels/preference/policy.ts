/**
 * The policy of the preference task: pi_theta(y | x) = softmax over a prompt's candidates of
 * (reference logits + features . theta). theta = 0 is the reference policy.
 */
import { matmulCpu, type Matmul } from '../linalg/matmul';
import { dataFor, lossAndLogpGradient, type LossConfig } from './objective';
import { logSoftmaxRows, type PreferenceTask } from './task';

/** Policy log-probs of every candidate in `table` for parameters theta. */
export function policyLogp(
  table: { features: Float32Array; refLogits: Float32Array; prompts: number },
  k: number,
  d: number,
  theta: Float32Array,
  matmul: Matmul = matmulCpu,
): Float32Array {
  const n = table.prompts * k;
  const scores = matmul(table.features, theta, n, d, 1);
  for (let i = 0; i < n; i++) scores[i] += table.refLogits[i];
  return logSoftmaxRows(scores, table.prompts, k);
}

/** The mean training loss at parameters theta (no update), e.g. at the start of a run. */
export function trainingLoss(task: PreferenceTask, loss: LossConfig, theta: Float32Array): number {
  const { candidates: k, features: d } = task.config;
  const logp = policyLogp(task.train, k, d, theta);
  return lossAndLogpGradient(loss, task.train, dataFor(task, loss.loss), k, logp, new Float64Array(logp.length)).loss;
}
