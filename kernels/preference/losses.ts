/**
 * Preference losses exactly as TRL computes them, with their gradients in closed form.
 *
 * Source: huggingface/trl v1.9.0 (DPOTrainer._compute_loss with loss_type "sigmoid" and "ipo",
 * trl.experimental.cpo.CPOTrainer with loss_type "simpo", KTOTrainer._compute_loss with loss_type
 * "kto"); the formulas are the same at v0.28.0, whose sigmoid loss also applied label_smoothing
 * (cDPO), which v0.29 dropped. They apply to a batch of sequence log-probabilities:
 *
 *   DPO   logits = (pc - pr) - (rc - rr)                        (summed log-probs)
 *         loss   = -(1 - eps) log sigma(beta logits) - eps log sigma(-beta logits)
 *                  (eps: cDPO, TRL's label_smoothing up to v0.28; eps = 0 is the paper's and TRL's default)
 *   IPO   same logits, but every log-prob is first divided by its token count
 *         loss   = (logits - 1 / (2 beta))^2                   (beta is the paper's tau)
 *   SimPO logits = avg(pc) - avg(pr) - gamma / beta             (no reference model)
 *         loss   = -log sigma(beta logits)
 *   ORPO  loss   = -avg(pc) - lambda log sigma(log odds(avg pc) - log odds(avg pr))   (no reference)
 *   RPO   loss   = DPO + alpha * (-pc / |y_c|)
 *   KTO   z      = max(0, mean over mismatched pairs of (policy - reference) log-prob), detached
 *         desirable   loss = 1 - sigma(beta (r - z))
 *         undesirable loss = 1 - sigma(beta (z - r)),  r = policy - reference log-prob
 *         each multiplied by desirable_weight / undesirable_weight, then averaged over the batch.
 *
 * Implicit rewards are what the trainers log as rewards/chosen and rewards/rejected:
 * beta times the policy-to-reference log-ratio (the per-token average of it for IPO, the
 * per-token average log-prob itself for SimPO, which has no reference).
 *
 * Every function takes summed sequence log-probs (plus token counts where the loss averages
 * them) and returns the loss with its derivative with respect to each *policy* log-prob, so a
 * trainer can back-propagate through whatever produced them. Reference log-probs are constants.
 */

/** log(sigma(x)) without overflow for large |x|. */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** sigma(x) without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Sequence log-probs of one preference pair: the policy's and the frozen reference's. */
export interface PairLogps {
  policyChosen: number;
  policyRejected: number;
  refChosen: number;
  refRejected: number;
}

/** Loss of one pair, its derivatives with respect to the two policy log-probs, and the logged rewards. */
export interface PairLoss {
  loss: number;
  dPolicyChosen: number;
  dPolicyRejected: number;
  chosenReward: number;
  rejectedReward: number;
}

export interface DpoInput extends PairLogps {
  beta: number;
  /** cDPO label smoothing eps in [0, 0.5): the assumed probability that a label is flipped. 0 by default. */
  labelSmoothing?: number;
}

/** DPO's sigmoid loss (TRL loss_type "sigmoid"); with labelSmoothing > 0 the conservative cDPO loss (TRL <= v0.28). */
export function dpoLoss(input: DpoInput): PairLoss {
  const { policyChosen, policyRejected, refChosen, refRejected, beta, labelSmoothing = 0 } = input;
  checkBeta(beta);
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new RangeError(`labelSmoothing must be in [0, 0.5), got ${labelSmoothing}`);
  }
  const logits = policyChosen - policyRejected - (refChosen - refRejected);
  const h = beta * logits;
  const loss = -(1 - labelSmoothing) * logSigmoid(h) - labelSmoothing * logSigmoid(-h);
  // d/dh [-log sigma(h)] = -sigma(-h);  d/dh [-log sigma(-h)] = sigma(h)
  const dLogits = beta * (-(1 - labelSmoothing) * sigmoid(-h) + labelSmoothing * sigmoid(h));
  return {
    loss,
    dPolicyChosen: dLogits,
    dPolicyRejected: -dLogits,
    chosenReward: beta * (policyChosen - refChosen),
    rejectedReward: beta * (policyRejected - refRejected),
  };
}

export interface LengthNormalisedInput extends PairLogps {
  beta: number;
  /** Token counts of the two responses (TRL divides summed log-probs by the loss mask's sum). */
  chosenLength: number;
  rejectedLength: number;
}

/** IPO (TRL loss_type "ipo"): squared distance of the per-token-averaged log-ratio margin from 1/(2 beta). */
export function ipoLoss(input: LengthNormalisedInput): PairLoss {
  const { policyChosen, policyRejected, refChosen, refRejected, beta, chosenLength, rejectedLength } = input;
  checkBeta(beta);
  checkLength(chosenLength);
  checkLength(rejectedLength);
  const chosenRatio = (policyChosen - refChosen) / chosenLength;
  const rejectedRatio = (policyRejected - refRejected) / rejectedLength;
  const gap = chosenRatio - rejectedRatio - 1 / (2 * beta);
  return {
    loss: gap * gap,
    dPolicyChosen: (2 * gap) / chosenLength,
    dPolicyRejected: (-2 * gap) / rejectedLength,
    chosenReward: beta * chosenRatio,
    rejectedReward: beta * rejectedRatio,
  };
}

/** The IPO optimum of the averaged log-ratio margin: the loss is zero exactly there. */
export function ipoTargetMargin(beta: number): number {
  checkBeta(beta);
  return 1 / (2 * beta);
}

export interface SimpoInput {
  policyChosen: number;
  policyRejected: number;
  chosenLength: number;
  rejectedLength: number;
  beta: number;
  /** Target reward margin gamma (TRL's simpo_gamma). */
  gamma: number;
}

/** SimPO (TRL experimental CPOTrainer, loss_type "simpo"): -log sigma(beta (avg chosen - avg rejected) - gamma); no reference model. */
export function simpoLoss(input: SimpoInput): PairLoss {
  const { policyChosen, policyRejected, chosenLength, rejectedLength, beta, gamma } = input;
  checkBeta(beta);
  checkLength(chosenLength);
  checkLength(rejectedLength);
  if (!Number.isFinite(gamma)) throw new RangeError(`gamma must be a finite number, got ${gamma}`);
  const chosenAvg = policyChosen / chosenLength;
  const rejectedAvg = policyRejected / rejectedLength;
  const h = beta * (chosenAvg - rejectedAvg - gamma / beta);
  const dH = -sigmoid(-h);
  return {
    loss: -logSigmoid(h),
    dPolicyChosen: (dH * beta) / chosenLength,
    dPolicyRejected: (-dH * beta) / rejectedLength,
    chosenReward: beta * chosenAvg,
    rejectedReward: beta * rejectedAvg,
  };
}

/** log(1 - e^x) for x < 0, accurate near 0 and for very negative x (TRL's log1mexp). */
export function log1mexp(x: number): number {
  if (!(x < 0)) throw new RangeError(`log1mexp needs a negative log-probability, got ${x}`);
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

export interface OrpoInput {
  /** Summed log-probs of the two responses under the policy (ORPO has no reference model). */
  policyChosen: number;
  policyRejected: number;
  chosenLength: number;
  rejectedLength: number;
  /** Weight of the odds-ratio term (the paper's lambda, TRL's beta, default 0.1). */
  lambda: number;
}

/**
 * ORPO (Hong et al. 2024; TRL 1.9 trl.experimental.orpo ORPOTrainer.odds_ratio_loss): the SFT loss
 * on the chosen response plus lambda times -log sigma(log odds ratio), where the odds of a response
 * are p / (1 - p) with p its per-token-average probability:
 *   log odds ratio = (a_c - a_r) - (log(1 - e^a_c) - log(1 - e^a_r)),  a = average log-prob
 *   loss           = -a_c - lambda log sigma(log odds ratio)
 * Rewards logged as lambda * a (TRL: beta * policy log-probs).
 */
export function orpoLoss(input: OrpoInput): PairLoss & { logOddsRatio: number } {
  const { policyChosen, policyRejected, chosenLength, rejectedLength, lambda } = input;
  checkBeta(lambda);
  checkLength(chosenLength);
  checkLength(rejectedLength);
  const ac = policyChosen / chosenLength;
  const ar = policyRejected / rejectedLength;
  const logOddsRatio = ac - ar - (log1mexp(ac) - log1mexp(ar));
  const dRatio = -lambda * sigmoid(-logOddsRatio); // d/dx of -lambda log sigma(x)
  // d/da [a - log(1 - e^a)] = 1 + e^a / (1 - e^a) = 1 / (1 - e^a)
  const dAc = -1 + dRatio / -Math.expm1(ac);
  const dAr = -dRatio / -Math.expm1(ar);
  return {
    loss: -ac - lambda * logSigmoid(logOddsRatio),
    logOddsRatio,
    dPolicyChosen: dAc / chosenLength,
    dPolicyRejected: dAr / rejectedLength,
    chosenReward: lambda * ac,
    rejectedReward: lambda * ar,
  };
}

export interface RpoInput extends DpoInput {
  chosenLength: number;
  /** Weight of the NLL term (TRL <= 0.28: rpo_alpha; from 0.29: loss_type=["sigmoid", "sft"] with loss_weights). */
  alpha: number;
}

/** RPO (Pang et al. 2024): DPO plus alpha times the chosen response's per-token negative log-likelihood. */
export function rpoLoss(input: RpoInput): PairLoss {
  const { chosenLength, alpha } = input;
  checkLength(chosenLength);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`alpha must be a non-negative number, got ${alpha}`);
  const dpo = dpoLoss(input);
  return {
    ...dpo,
    loss: dpo.loss - (alpha * input.policyChosen) / chosenLength,
    dPolicyChosen: dpo.dPolicyChosen - alpha / chosenLength,
  };
}

export interface KtoInput {
  /** Policy and reference sequence log-probs of each completion in the batch. */
  policy: ArrayLike<number>;
  reference: ArrayLike<number>;
  /** true for a desirable (thumbs-up) completion, false for an undesirable one. */
  desirable: ArrayLike<boolean>;
  /** Log-probs of mismatched prompt/completion pairs, used only for the KL reference point. */
  policyKl: ArrayLike<number>;
  referenceKl: ArrayLike<number>;
  beta: number;
  desirableWeight?: number;
  undesirableWeight?: number;
}

export interface KtoLoss {
  /** Mean over the batch of the weighted per-completion losses (TRL: losses.nanmean()). */
  loss: number;
  /** The reference point z: the detached KL estimate, clamped at 0. */
  kl: number;
  /** Weighted loss of each completion. */
  losses: Float64Array;
  /** d loss / d policy log-prob of each completion (z is detached, so it carries no gradient). */
  dPolicy: Float64Array;
  /** beta * (policy - reference) of each completion. */
  rewards: Float64Array;
}

/** The KTO reference point: mean policy-minus-reference log-prob over mismatched pairs, clamped at 0. */
export function ktoReferencePoint(policyKl: ArrayLike<number>, referenceKl: ArrayLike<number>): number {
  if (policyKl.length !== referenceKl.length || policyKl.length === 0) {
    throw new RangeError('the KL estimate needs the same positive number of policy and reference log-probs');
  }
  let sum = 0;
  for (let i = 0; i < policyKl.length; i++) sum += policyKl[i] - referenceKl[i];
  return Math.max(0, sum / policyKl.length);
}

/** KTO (TRL KTOTrainer loss_type "kto"). */
export function ktoLoss(input: KtoInput): KtoLoss {
  const { policy, reference, desirable, beta, desirableWeight = 1, undesirableWeight = 1 } = input;
  checkBeta(beta);
  const n = policy.length;
  if (n === 0 || reference.length !== n || desirable.length !== n) {
    throw new RangeError('KTO needs the same positive number of policy log-probs, reference log-probs and labels');
  }
  if (!(desirableWeight >= 0) || !(undesirableWeight >= 0)) throw new RangeError('KTO weights must be non-negative');
  const z = ktoReferencePoint(input.policyKl, input.referenceKl);
  const losses = new Float64Array(n);
  const dPolicy = new Float64Array(n);
  const rewards = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const term = ktoTerm(policy[i] - reference[i], z, desirable[i], beta, desirable[i] ? desirableWeight : undesirableWeight);
    losses[i] = term.loss;
    dPolicy[i] = term.dLogRatio / n; // the batch mean divides every gradient by n
    rewards[i] = beta * (policy[i] - reference[i]);
    total += term.loss;
  }
  return { loss: total / n, kl: z, losses, dPolicy, rewards };
}

/**
 * One completion's weighted KTO loss and its derivative with respect to the log-ratio r.
 * Desirable: w (1 - sigma(beta (r - z))); undesirable: w (1 - sigma(beta (z - r))).
 */
export function ktoTerm(logRatio: number, z: number, desirable: boolean, beta: number, weight: number): { loss: number; dLogRatio: number } {
  const v = beta * (desirable ? logRatio - z : z - logRatio);
  const s = sigmoid(v);
  // d/dv (1 - sigma(v)) = -sigma(v)(1 - sigma(v)); dv/dr = +beta (desirable) or -beta (undesirable)
  const dV = -s * sigmoid(-v);
  return { loss: weight * (1 - s), dLogRatio: weight * dV * (desirable ? beta : -beta) };
}

function checkBeta(beta: number): void {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`beta must be a positive number, got ${beta}`);
}

function checkLength(length: number): void {
  if (!(length > 0) || !Number.isFinite(length)) throw new RangeError(`a response length must be positive, got ${length}`);
}
