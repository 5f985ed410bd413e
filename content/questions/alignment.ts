import type { QuestionInput } from '../../components/flashcards/schema';

/** Preference alignment: RLHF, DPO, IPO, KTO, SimPO. Losses as TRL computes them (kernels/preference). */
export const alignmentQuestions = [
  {
    id: 'dpo-versus-ppo',
    kind: 'free',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'the-objective-rlhf-optimises',
    seeds: ['001 Q6', '002 Q3'],
    prompt: 'What is the core difference between DPO and RLHF with PPO? Give the advantages and drawbacks of each, and say when you would pick PPO.',
    answer:
      'Both optimise the same KL-regularised objective: maximise reward while staying close to a reference policy (β·KL). RLHF-PPO fits a reward model on preference pairs, then runs on-policy RL: sampling from the policy, scoring with the reward model, and PPO updates with a value model — four models in memory (policy, reference, reward, value), many hyperparameters, unstable, but it learns from fresh samples and can keep improving online. DPO (Rafailov et al. 2023) uses the closed-form optimum of that objective, π*(y|x) ∝ π_ref(y|x)·exp(r(x,y)/β), to rewrite the reward as β·log(π/π_ref) (+ a term that cancels between two responses to one prompt), and trains the policy directly with a logistic loss on chosen/rejected pairs — no reward model, no sampling, only the policy and a frozen reference (whose log-probs can be precomputed). DPO is simple and stable but offline: it learns only from the fixed pairs and can over-optimise on them. Pick PPO (or online/iterative variants) when you have a good reward signal and need on-policy exploration, e.g. verifiable rewards for reasoning; with a fixed preference dataset DPO is the cheaper default.',
    rubric: [
      {
        point: 'same KL-regularised reward objective',
        phrases: ['kl', 'same objective', 'reference policy', 'KL 约束', '参考模型'],
      },
      {
        point: 'PPO needs a reward model and on-policy sampling',
        phrases: ['reward model', 'sampl*', 'on policy', 'online', '奖励模型', '采样', '在线'],
      },
      {
        point: 'DPO: closed-form, implicit reward β log π/π_ref',
        phrases: ['implicit reward', 'closed form', 'log ratio', 'beta & log', '隐式奖励', '闭式'],
        contradicts: [
          'dpo also trains a reward model',
          'dpo trains a reward model',
          'dpo needs a reward model',
          'dpo requires a reward model',
          'DPO 也要训练奖励模型',
          'DPO 需要奖励模型',
          'dpo & different rl algorithm',
        ],
      },
      {
        point: 'DPO simpler/stabler, fewer models in memory',
        phrases: ['simpl*', 'stable', 'fewer models', 'two models', '简单', '稳定', '两个模型'],
        contradicts: ['DPO 不需要参考模型', 'dpo does not need a reference', 'dpo needs no reference'],
      },
      {
        point: 'DPO is offline, limited by fixed data',
        phrases: ['offline', 'fixed data*', 'no exploration', 'over optimi*', '离线', '过拟合'],
      },
    ],
    widget: {
      name: 'pref-trainer',
      params: { loss: 'dpo' },
      label: 'Train a tiny policy with DPO',
    },
  },
  {
    id: 'dpo-loss-value',
    kind: 'numeric',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'the-dpo-loss',
    generator: 'dpo-loss',
    params: {
      beta: [0.1, 0.2, 0.5],
      policyChosen: [-12, -15, -20],
      refChosen: [-14, -15, -18],
      policyRejected: [-22, -25, -18],
      refRejected: [-20, -21, -24],
    },
    prompt:
      'One preference pair, sequence log-probs summed over tokens: policy log π(y_w|x) = {policyChosen}, reference {refChosen}; policy log π(y_l|x) = {policyRejected}, reference {refRejected}. With β = {beta}, what is the DPO loss of this pair (natural log)?',
    answer:
      'Logits = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l)) = {logits}. Loss = −log σ(β · logits) = −log σ({margin}) = {answer}.',
    widget: {
      name: 'pref-trainer',
      params: { loss: 'dpo' },
      label: "Watch DPO's loss fall",
    },
  },
  {
    id: 'dpo-loss-formula',
    kind: 'formula',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'the-dpo-loss',
    prompt:
      "Write DPO's loss for one pair with β = beta, policy log-probs pw (chosen) and pl (rejected), reference log-probs rw and rl. You may use log, exp and sigmoid.",
    answer:
      "−log σ(β·((pw − rw) − (pl − rl))). Equivalent forms: log(1 + exp(−β·((pw − rw) − (pl − rl)))), or softplus of the negated margin. TRL's default sigmoid loss computes exactly this.",
    variables: [
      { name: 'beta', description: 'β', min: 0.01, max: 1, aliases: ['b'] },
      {
        name: 'pw',
        description: 'policy log-prob of the chosen response',
        min: -60,
        max: -1,
      },
      {
        name: 'pl',
        description: 'policy log-prob of the rejected response',
        min: -60,
        max: -1,
      },
      {
        name: 'rw',
        description: 'reference log-prob of the chosen response',
        min: -60,
        max: -1,
      },
      {
        name: 'rl',
        description: 'reference log-prob of the rejected response',
        min: -60,
        max: -1,
      },
    ],
    reference: '-log(sigmoid(beta*((pw - rw) - (pl - rl))))',
  },
  {
    id: 'dpo-reward-margin',
    kind: 'numeric',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'solving-for-the-reward',
    generator: 'dpo-margin',
    params: {
      beta: [0.1, 0.25, 0.5],
      policyChosen: [-30, -35, -40],
      refChosen: [-33, -36, -38],
      policyRejected: [-45, -50, -42],
      refRejected: [-44, -47, -46],
    },
    prompt:
      'TRL logs rewards/chosen, rewards/rejected and rewards/margins. With β = {beta}, policy/reference log-probs {policyChosen}/{refChosen} for the chosen response and {policyRejected}/{refRejected} for the rejected one, what is the reward margin?',
    answer: 'Implicit reward = β · (log π − log π_ref): chosen {chosenReward}, rejected {rejectedReward}. Margin = chosen − rejected = {answer}.',
  },
  {
    id: 'dpo-implicit-reward',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'bradley-terry-where-the-partition-function-cancels',
    prompt: 'In DPO, what is the implicit reward of a response y to prompt x, and why can the partition function Z(x) be ignored?',
    answer:
      'From the optimum of the KL-regularised objective, r(x, y) = β·log(π(y|x)/π_ref(y|x)) + β·log Z(x). The loss only uses the difference of rewards of two responses to the same prompt, so β·log Z(x) cancels. TRL logs β·(log π − log π_ref) as rewards/chosen and rewards/rejected.',
    choices: [
      {
        text: 'β·log(π(y|x)/π_ref(y|x)); Z(x) cancels in the chosen-minus-rejected difference',
        correct: true,
        why: 'Both responses share the prompt, hence the same Z(x).',
      },
      {
        text: 'log π(y|x); Z(x) is always 1',
        correct: false,
        why: 'The reward is a log-ratio against the reference, and Z(x) is generally not 1.',
      },
      {
        text: "The reward model's score; Z(x) is learned by the reward model",
        correct: false,
        why: 'DPO has no separate reward model.',
      },
      {
        text: 'β·log π_ref(y|x); Z(x) is absorbed into β',
        correct: false,
        why: 'The policy must appear in the reward, or nothing would be trained.',
      },
    ],
  },
  {
    id: 'dpo-beta',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'training-it-the-preference-trainer',
    prompt: 'What happens to a DPO run when you increase β (say from 0.1 to 0.5)?',
    answer:
      'β is the strength of the KL penalty in the objective DPO solves. A larger β makes the loss saturate after a smaller change of the log-ratios, so the policy stays closer to the reference; a smaller β lets it move further (more reward, more drift and risk of over-optimisation).',
    choices: [
      {
        text: 'The policy is kept closer to the reference model',
        correct: true,
        why: 'Larger β = stronger KL regularisation.',
      },
      {
        text: 'The policy moves further from the reference model',
        correct: false,
        why: 'That is what a smaller β does.',
      },
      {
        text: 'Only the learning rate changes',
        correct: false,
        why: "β changes the loss's shape, not the optimiser.",
      },
      {
        text: 'The rejected responses are ignored',
        correct: false,
        why: 'Both responses always enter through the margin.',
      },
    ],
    widget: {
      name: 'pref-trainer',
      params: { loss: 'dpo', beta: 0.5 },
      label: 'Try DPO with a larger β',
    },
  },
  {
    id: 'preference-methods-compared',
    kind: 'free',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'side-by-side',
    seeds: ['001 Q12'],
    prompt: 'Compare DPO, IPO, KTO and SimPO: the data each needs, whether it needs a reference model, and what problem each addresses.',
    answer:
      "DPO: paired preferences (chosen, rejected), a frozen reference; logistic loss on the β-scaled log-ratio margin. Because the logistic loss keeps rewarding larger margins, it can over-fit deterministic preferences. IPO (Azar et al. 2023): same paired data and reference, but a squared loss that pulls the margin to a finite target, (margin − 1/(2β))², with TRL averaging log-probs per token — a built-in regulariser. KTO (Ethayarajh et al. 2024): unpaired data, each completion labelled desirable or undesirable, with a reference model; a prospect-theory-style loss 1 − σ(β(r − z)) for desirable and 1 − σ(β(z − r)) for undesirable completions, where r is the log-ratio and z a batch KL estimate; useful when you only have thumbs up/down. SimPO (Meng et al. 2024): paired data, no reference model; it uses the length-normalised average log-prob as the reward and a target margin γ, so it saves the reference model's memory and compute and discourages long answers.",
    rubric: [
      {
        point: 'DPO: pairs + reference model',
        phrases: ['dpo & pair*', 'dpo & reference', 'DPO & 成对', 'DPO & 参考'],
        contradicts: ['all need a reward model', 'they all need pairs and a reward model', '都需要训练奖励模型', '都需要奖励模型'],
      },
      {
        point: 'IPO: squared loss toward a finite target',
        phrases: ['squared', 'ipo & regulari*', 'mse', 'IPO & 平方', '平方损失'],
      },
      {
        point: 'KTO: unpaired desirable/undesirable labels',
        phrases: ['unpaired', 'desirable', 'thumbs', 'binary', 'kto & single', '非成对', '好/坏', '单条'],
        contradicts: ['kto needs pairs', 'KTO 需要成对'],
      },
      {
        point: 'SimPO: no reference, length-normalised reward',
        phrases: ['simpo & reference', 'length normali*', 'average log', 'no reference', '长度归一', '不需要参考'],
        contradicts: ['simpo needs a reference', 'SimPO 需要参考模型'],
      },
    ],
  },
  {
    id: 'kto-loss-value',
    kind: 'numeric',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'kto-single-thumbs-up-and-thumbs-down-labels',
    generator: 'kto-loss',
    params: {
      beta: [0.1, 0.5, 1],
      logRatio: [-2, -0.5, 1, 3],
      z: [0, 0.5, 1],
      desirable: [true, false],
    },
    prompt:
      "KTO, TRL's loss_type \"kto\" with weight 1: {label} completion has log-ratio r = log π − log π_ref = {logRatio}, the batch's reference point is z = {z}, and β = {beta}. What is this completion's loss?",
    answer: 'Desirable: 1 − σ(β(r − z)); undesirable: 1 − σ(β(z − r)). For {label} completion: {answer}.',
  },
  {
    id: 'kto-reference-point',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'kto-single-thumbs-up-and-thumbs-down-labels',
    prompt: "How does TRL compute KTO's reference point z?",
    answer:
      'z is a KL estimate: the policy-minus-reference log-probs of mismatched prompt/completion pairs (completions shifted within the batch), averaged, clamped at 0 and detached from the graph, so no gradient flows through it.',
    choices: [
      {
        text: 'Mean policy − reference log-prob on mismatched prompt/completion pairs, clamped at 0, detached',
        correct: true,
        why: "As in TRL's KTOTrainer.",
      },
      {
        text: 'The mean reward of the desirable completions',
        correct: false,
        why: 'z does not use the labels at all.',
      },
      {
        text: 'A fixed hyperparameter, 0 by default',
        correct: false,
        why: 'It is estimated from each batch.',
      },
      {
        text: 'The KL between policy and reference, with gradient',
        correct: false,
        why: 'It is detached: the loss treats it as a constant.',
      },
    ],
  },
  {
    id: 'kto-imbalanced-data',
    kind: 'free',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'kto-single-thumbs-up-and-thumbs-down-labels',
    seeds: ['002 Q4'],
    prompt:
      'Your feedback data is badly imbalanced: far more thumbs-up than thumbs-down answers, and few of them share a prompt. Which alignment method fits, and how do you handle the imbalance?',
    answer:
      'KTO fits: it needs only a desirable/undesirable label per completion, not pairs for the same prompt, so unpaired and unequal data can be used as is. It handles the imbalance with two weights, desirable_weight and undesirable_weight (both 1 by default in TRL); the KTO paper recommends choosing them so that λ_D·n_D / (λ_U·n_U) lies between 1 and 4/3, i.e. down-weight the more frequent class. DPO would need pairs, which you could only build by matching good and bad answers to the same prompt and throwing the rest away.',
    widget: {
      name: 'pref-trainer',
      params: { loss: 'kto', desirableShare: 0.8, desirableWeight: 0.3 },
      label: 'Train KTO on 80% desirable data, down-weighted',
    },
    rubric: [
      {
        point: 'use KTO (unpaired labels)',
        phrases: ['kto', 'unpaired', '非成对', '不成对'],
        contradicts: ['use dpo', 'use ppo', '用 DPO', '用 PPO'],
      },
      {
        point: 'desirable/undesirable weights',
        phrases: ['weight*', 'desirable_weight', 'lambda', 'λ', '权重'],
      },
      {
        point: 'keep the weighted ratio near 1 to 4/3',
        phrases: ['4/3', '1 to 1.33', '1.33', 'ratio & 1', 'between 1 and', '比例 & 1', '1 到 4/3', '4/3 之间'],
      },
      {
        point: 'DPO would need pairs for the same prompt',
        phrases: ['pair*', 'same prompt', '成对'],
      },
    ],
  },
  {
    id: 'ipo-target-margin',
    kind: 'numeric',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'ipo-a-bounded-target-instead-of-an-unbounded-margin',
    generator: 'ipo-target',
    params: { beta: [0.05, 0.1, 0.2, 0.5, 1] },
    widget: { name: 'pref-trainer', params: { mode: 'sweep' }, label: 'Sweep β for every loss: reward against KL' },
    prompt:
      'IPO (TRL loss_type "ipo") pushes the per-token-averaged log-ratio margin toward a target where its loss is zero. With β = {beta}, what is that target?',
    answer:
      "The loss is (margin − 1/(2β))², zero at margin = 1/(2β) = {answer}. Unlike DPO's logistic loss, it does not reward margins beyond the target.",
  },
  {
    id: 'simpo-reference',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'simpo-no-reference-model-length-normalised-with-a-margin',
    prompt: "What does SimPO use as the reward of a response, in place of DPO's log-ratio?",
    answer:
      "SimPO's reward is β times the average log-prob per token of the response under the policy, with no reference model; the loss is −log σ(reward_w − reward_l − γ) with a target margin γ. Averaging per token removes the bias toward long responses that summed log-probs have.",
    choices: [
      {
        text: "β × the policy's average per-token log-prob, with a target margin γ",
        correct: true,
        why: 'No reference model appears.',
      },
      {
        text: 'β × the log-ratio to the reference, summed over tokens',
        correct: false,
        why: 'That is DPO.',
      },
      {
        text: "A separate reward model's score",
        correct: false,
        why: 'SimPO, like DPO, has no reward model.',
      },
      {
        text: 'The response length',
        correct: false,
        why: 'Length is divided out, not rewarded.',
      },
    ],
  },
  {
    id: 'cdpo-label-smoothing',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'the-dpo-loss',
    prompt: "What does label smoothing ε do in DPO's sigmoid loss (cDPO)?",
    answer:
      "It assumes each preference label is flipped with probability ε: loss = −(1 − ε)·log σ(βΔ) − ε·log σ(−βΔ). The loss then has a finite optimum margin instead of pushing it to infinity, which makes DPO more robust to noisy labels. TRL's sigmoid loss applied label_smoothing this way up to v0.28; from v0.29 it ignores it (only the robust, EXO and AOT losses read it), so check the version you use.",
    choices: [
      {
        text: 'Treats labels as flipped with probability ε, so the optimal margin is finite',
        correct: true,
        why: 'The ε·log σ(−βΔ) term penalises very large margins.',
      },
      {
        text: 'Smooths the token-level labels of the SFT loss',
        correct: false,
        why: 'It acts on the preference label, not on tokens.',
      },
      {
        text: 'Adds a length penalty',
        correct: false,
        why: "That is closer to SimPO's averaging.",
      },
      {
        text: 'Replaces the reference model with a uniform distribution',
        correct: false,
        why: 'The reference model is unchanged.',
      },
    ],
  },
  {
    id: 'sft-before-dpo',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'the-objective-rlhf-optimises',
    prompt: 'Why is DPO normally run on an SFT model rather than directly on a base model?',
    answer:
      'DPO keeps the policy close to its reference, and the preference pairs are typically sampled from an instruction-following model. Starting from the SFT model gives a reference under which the preferred responses are already likely; from a base model, the responses are far from what the policy generates and the KL anchor holds it near a model that does not follow instructions. The DPO paper initialises π_ref with the SFT model (or, without one, fine-tunes on the preferred responses first).',
    choices: [
      {
        text: 'The reference should be a model under which the preferred responses are in-distribution',
        correct: true,
        why: 'The DPO paper uses the SFT model as π_ref.',
      },
      {
        text: 'DPO cannot compute gradients for a base model',
        correct: false,
        why: 'It can; it just anchors to the wrong model.',
      },
      {
        text: 'SFT is needed to train the reward model',
        correct: false,
        why: 'DPO has no reward model.',
      },
      {
        text: 'Base models have no log-probabilities',
        correct: false,
        why: 'Every language model gives log-probs.',
      },
    ],
  },
  {
    id: 'orpo-vs-dpo',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'orpo-rpo-online-dpo-and-length',
    prompt: 'How does ORPO differ from DPO?',
    answer:
      'ORPO needs no reference model and no separate SFT stage: its loss is the SFT loss on the chosen response plus λ times −log σ of the log odds ratio between chosen and rejected, with odds p/(1 − p) of the per-token-average probability. DPO compares log-probabilities with a frozen reference and is usually run after SFT.',
    choices: [
      { text: 'One stage, no reference model: SFT loss plus an odds-ratio term', correct: true, why: 'That is ORPO’s objective.' },
      { text: 'It adds a reward model to DPO', correct: false, why: 'Neither uses a reward model.' },
      { text: 'It is DPO with length normalisation', correct: false, why: 'That describes SimPO more closely.' },
      { text: 'It learns from single thumbs-up and thumbs-down labels', correct: false, why: 'That is KTO.' },
    ],
  },
  {
    id: 'rpo-nll-term',
    kind: 'single',
    topic: 'alignment',
    chapter: 'dpo-kto',
    anchor: 'orpo-rpo-online-dpo-and-length',
    prompt: 'Why does RPO add a negative log-likelihood term on the chosen response to the DPO loss?',
    answer:
      'DPO only asks the margin between chosen and rejected to grow, which it can do while the chosen response becomes less likely, as long as the rejected one falls faster; and once a pair is won by a wide margin its gradient vanishes. The NLL term keeps raising the chosen response. Pang et al. found it necessary on reasoning tasks. TRL: rpo_alpha up to 0.28, loss_type=["sigmoid", "sft"] from 0.29.',
    choices: [
      {
        text: 'DPO can widen the margin while the chosen response gets less likely; the NLL term prevents that',
        correct: true,
        why: 'The margin alone does not pin the chosen likelihood.',
      },
      { text: 'To replace the reference model', correct: false, why: 'RPO keeps DPO’s reference.' },
      { text: 'To normalise for response length', correct: false, why: 'The per-token average is a detail, not the purpose.' },
      { text: 'To make the loss bounded like IPO', correct: false, why: 'The NLL term is unbounded.' },
    ],
  },
] satisfies QuestionInput[];
