import type { QuestionInput } from '../../components/flashcards/schema';

/** Reward models, PPO and GRPO. They link to the RLHF chapter. */
export const rlhfQuestions = [
  {
    id: 'reward-model-loss',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'the-reward-model',
    prompt:
      'A reward model is trained on pairs (chosen, rejected). What loss does TRL’s RewardTrainer minimise, and what does the loss leave undetermined?',
    answer:
      'The Bradley-Terry negative log-likelihood, −log σ(r(x, y_chosen) − r(x, y_rejected)), averaged over pairs (minus an optional per-pair margin). It depends only on reward differences, so adding any constant to all rewards of a prompt changes nothing: the scale of the differences is learned, the level is not. TRL’s center_rewards_coefficient (0.01 recommended) penalises the squared sum of the two rewards to keep them near zero.',
    choices: [
      { text: '−log σ(r_chosen − r_rejected); the rewards’ offset per prompt', correct: true, why: 'Only differences enter the loss.' },
      { text: 'Mean squared error to human scores; nothing', correct: false, why: 'Comparisons carry no absolute scores.' },
      {
        text: 'Cross-entropy on the chosen response’s tokens; the scale',
        correct: false,
        why: 'That is SFT on the chosen responses, not a reward model.',
      },
      {
        text: 'max(0, 1 − (r_chosen − r_rejected)); the sign',
        correct: false,
        why: 'A hinge loss is possible, but TRL and InstructGPT use the log-sigmoid.',
      },
    ],
  },
  {
    id: 'reward-model-architecture',
    kind: 'free',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'the-reward-model',
    prompt: 'How is a reward model for an LLM usually built from the SFT model, and why does its score come from the last token?',
    answer:
      'Take the SFT model, drop the language-model head and put a linear head with one output on top (AutoModelForSequenceClassification with num_labels=1 in transformers, which TRL’s RewardTrainer loads). Read the head at the last token (the last one that is not padding): in a causal model only that position has attended to the whole prompt and response, so its hidden state summarises the sequence. Starting from the SFT model gives the reward model the language understanding it needs; InstructGPT used a 6B reward model for a 175B policy.',
    rubric: [
      { point: 'scalar head replaces the LM head', phrases: ['scalar', 'linear head', 'one output', 'num_labels', 'value head', '标量', '线性层'] },
      { point: 'read at the last token', phrases: ['last token', 'final token', 'eos', '最后一个', '末尾', 'last & token', 'final & token', '最后'] },
      { point: 'causal attention: the last position has seen everything', phrases: ['attend*', 'seen', 'whole sequence', 'causal', '看到', '因果'] },
      {
        point: 'initialised from the SFT model',
        phrases: ['sft', 'initiali*', 'same backbone', '初始化'],
        contradicts: ['from scratch', '从头训练', '和 SFT 模型无关', 'unrelated to the sft'],
      },
    ],
  },
  {
    id: 'ppo-four-models',
    kind: 'multiple',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'ppo-for-language-models',
    prompt: 'Which models does PPO-based RLHF (InstructGPT, TRL’s PPOTrainer) hold during training, and which of them are updated?',
    answer:
      'Four: the policy (updated), the value model (updated; initialised from the reward model), the reference model (frozen SFT model, for the KL penalty) and the reward model (frozen). With mixed-precision AdamW that is 2 × 16 + 2 × 2 = 36 bytes per parameter of model states when all four have the policy’s size, against 18 for DPO and 16 for GRPO without a KL term.',
    choices: [
      { text: 'The policy, updated', correct: true, why: 'It is what RL trains.' },
      { text: 'The value model, updated', correct: true, why: 'It learns the returns, for GAE’s baseline.' },
      { text: 'The reference model, frozen', correct: true, why: 'It anchors the KL penalty.' },
      { text: 'The reward model, frozen', correct: true, why: 'It scores each completion.' },
      {
        text: 'The reward model, updated with the policy',
        correct: false,
        why: 'Updating it on the policy’s samples would let the policy and reward co-adapt; it is trained beforehand.',
      },
    ],
  },
  {
    id: 'ppo-clip',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'ppo-for-language-models',
    prompt:
      'In PPO’s clipped surrogate with ε = 0.2, a token has a positive advantage and its probability ratio to the sampling policy is already 1.35. What gradient does it contribute, and why?',
    answer:
      'None: min(ρA, clip(ρ, 0.8, 1.2)A) picks the clipped term 1.2A, which does not depend on the parameters. The policy has already moved that token’s probability beyond the trust region in the direction the advantage wants, so PPO stops pushing. A token with a negative advantage whose ratio rose to 1.35 would still get a gradient (the unclipped term is the smaller one): the bound is pessimistic.',
    choices: [
      {
        text: 'Zero: the clipped term is the minimum and is constant',
        correct: true,
        why: 'Past 1 + ε in the favoured direction the objective is flat.',
      },
      {
        text: '−1.35 A: the usual importance-weighted gradient',
        correct: false,
        why: 'That holds only inside the clip range or where the unclipped term is smaller.',
      },
      {
        text: '−1.2 A: the gradient is clipped to the boundary',
        correct: false,
        why: 'Clipping the ratio removes the gradient; it does not cap it.',
      },
      {
        text: 'A gradient that pulls the ratio back to 1.2',
        correct: false,
        why: 'The surrogate has no restoring term; the KL penalty does that, weakly.',
      },
    ],
  },
  {
    id: 'ppo-kl-shaped-reward',
    kind: 'free',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'ppo-for-language-models',
    prompt: 'In RLHF with PPO, where does the KL penalty enter, and what does GAE do with the rewards?',
    answer:
      'The KL penalty is folded into the reward: every generated token gets −β(log π − log π_ref) (TRL: kl_coef 0.05, the k1 estimator), and the reward model’s score is added at the last token. GAE then turns these per-token rewards and the value model’s estimates into advantages: δ_t = r_t + γV(s_{t+1}) − V(s_t), A_t = Σ (γλ)^l δ_{t+l}, with γ = 1 and λ = 0.95 in TRL. λ = 1 gives the unbiased but noisy reward-to-go minus the value; λ = 0 the one-step TD error, biased by the value model but low-variance.',
    rubric: [
      {
        point: 'per-token KL penalty in the reward',
        phrases: ['per token', 'each token', 'every token', 'kl penalty', 'reward shaping', '每个token', '每个 token', 'KL惩罚'],
        contradicts: ['added once', 'only once', 'once to the loss', 'KL 只', '只在整个序列', 'once per sequence'],
      },
      {
        point: 'reward-model score at the last token',
        phrases: [
          'reward model & last token',
          'score & last token',
          'reward model & final token',
          'score & final token',
          'reward model & end of',
          'score & end of',
          '最后一个 token',
          '最后 & 奖励模型',
          '奖励模型 & 最后',
        ],
      },
      {
        point: 'GAE mixes TD errors with lambda',
        phrases: ['gae & lambda', 'gae & λ', 'gae & td', 'td error*', 'temporal difference', 'GAE & λ', 'GAE & TD', '优势估计'],
      },
      { point: 'value model as the baseline', phrases: ['value model', 'critic', 'baseline', '价值模型', '基线'] },
    ],
  },
  {
    id: 'grpo-advantage',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-the-group-is-the-baseline',
    prompt:
      'GRPO samples 8 completions for a prompt; all 8 get reward 1. What advantages do they get in TRL’s GRPOTrainer, and what does the prompt contribute to the update?',
    answer:
      'Zero for all: the advantage is (r − group mean) / (group std + 1e-4), and every reward equals the mean. A group that scores all alike (all right or all wrong) contributes no gradient, which is why GRPO needs prompts of the right difficulty, and why DAPO filters such groups out and samples more (dynamic sampling).',
    choices: [
      { text: 'All zero; the prompt contributes nothing', correct: true, why: 'The group is its own baseline.' },
      { text: 'All 1; the prompt reinforces all 8 completions', correct: false, why: 'The group mean is subtracted.' },
      { text: 'Undefined: the std is zero', correct: false, why: 'TRL adds 1e-4 to the std, so the advantages are 0/1e-4 = 0.' },
      { text: 'The value model’s estimate is used instead', correct: false, why: 'GRPO has no value model.' },
    ],
  },
  {
    id: 'grpo-vs-ppo',
    kind: 'free',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-the-group-is-the-baseline',
    prompt: 'What does GRPO change relative to PPO, and what does it cost?',
    answer:
      'GRPO drops the value model: for each prompt it samples a group of G completions and uses the group’s mean (and std) reward as the baseline, A_i = (r_i − mean)/std, applied to every token of completion i. That saves a model of the policy’s size with its optimizer states and the instability of training a critic; with a rule-based reward and β = 0 (TRL’s default since v0.19) it holds only the policy. The cost is sampling: G completions per prompt (TRL: 8) instead of one, and only outcome-level credit assignment, every token of a completion getting the same advantage.',
    rubric: [
      {
        point: 'no value model / critic',
        phrases: [
          'no value',
          'without a value',
          'drops the value',
          'no critic',
          '不需要价值',
          '去掉价值',
          '无需critic',
          '无 critic',
          'drops the critic',
          'removes the value',
          'no longer needs a value',
          'without a critic',
          '去掉了 critic',
          '去掉 critic',
          '不需要 critic',
        ],
        contradicts: ['adds a second value model', 'adds a value model', 'two value models', '增加价值模型', '多一个价值模型'],
      },
      {
        point: 'group mean as baseline',
        phrases: [
          'group & mean',
          'group & average',
          'group & baseline',
          'mean reward',
          'average reward',
          '组 & 均值',
          '组内 & 平均',
          '组均值',
          '组内奖励',
          '组 & 基线',
        ],
      },
      {
        point: 'costs several samples per prompt',
        phrases: [
          'several samples',
          'multiple samples',
          'several answers',
          'several completions',
          'multiple completions',
          'g completions',
          'num_generations',
          'samples a group',
          'sample* & group',
          'generat* several',
          '多个回答',
          '多次采样',
          '采样一组',
          '一组回答',
        ],
      },
      {
        point: 'same advantage for every token (outcome reward)',
        phrases: ['every token', 'each token', 'same advantage', 'outcome', '每个token', '结果奖励'],
      },
    ],
  },
  {
    id: 'grpo-beta-default',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-the-group-is-the-baseline',
    prompt: 'With TRL’s GRPOConfig defaults (v0.19 and later), which models are in memory during training?',
    answer:
      'Only the policy: beta defaults to 0.0, so there is no KL term and the reference model is not loaded, and there is no value model in GRPO. Rewards come from reward functions (which may be programs, or a reward model you pass in). Up to v0.18 beta defaulted to 0.04, DeepSeekMath’s value, which loaded a reference.',
    choices: [
      { text: 'The policy only (plus any reward model you pass as a reward function)', correct: true, why: 'beta = 0.0 skips the reference.' },
      { text: 'Policy and reference', correct: false, why: 'That is GRPO with beta > 0, or DPO.' },
      { text: 'Policy, reference and value model', correct: false, why: 'GRPO never has a value model.' },
      { text: 'Policy, reference, reward and value model', correct: false, why: 'That is PPO.' },
    ],
  },
  {
    id: 'grpo-loss-normalisation',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-the-group-is-the-baseline',
    prompt:
      'The original GRPO loss averages token losses within each completion, then over completions. Why did DAPO (TRL’s default loss_type "dapo") change that?',
    answer:
      'Averaging per completion gives each token of a short completion more weight than a token of a long one. A correct short answer is then reinforced more per token, and a wrong long answer penalised less per token, so training drifts towards short correct and long wrong responses (a length bias). DAPO sums token losses over the batch and divides by the batch’s number of completion tokens, so every token weighs the same; Dr. GRPO divides by a constant (max_completion_length) instead.',
    choices: [
      {
        text: 'Per-completion averaging biases length: every token should weigh the same',
        correct: true,
        why: 'Token-level normalisation removes it.',
      },
      { text: 'To make the loss independent of the batch size', correct: false, why: 'Both normalisations do that.' },
      { text: 'Because the clip range depends on the sequence length', correct: false, why: 'Clipping is per token either way.' },
      { text: 'To avoid dividing by zero on empty completions', correct: false, why: 'Both clamp the count at 1.' },
    ],
  },
  {
    id: 'k3-estimator',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-the-group-is-the-baseline',
    prompt: 'GRPO estimates KL(π‖π_ref) per sampled token with k3 = π_ref/π − log(π_ref/π) − 1 rather than log(π/π_ref). Why?',
    answer:
      'Both are unbiased estimates of the KL under samples from π, but log(π/π_ref) (k1) is negative on many tokens and has high variance, while k3 is never negative (x − log x − 1 ≥ 0) and has lower variance when π is close to π_ref (Schulman, “Approximating KL Divergence”). GRPOTrainer uses k3; TRL’s PPO trainer defaults to k1 in the reward.',
    choices: [
      { text: 'k3 is unbiased, never negative and lower-variance near the reference', correct: true, why: 'Its expectation under π is the KL.' },
      { text: 'k3 is the exact KL and k1 only an approximation', correct: false, why: 'Both are single-sample estimates; both are unbiased.' },
      { text: 'k3 does not need the reference model', correct: false, why: 'It needs π_ref’s log-prob of the token.' },
      { text: 'k1 is biased under sampling from π', correct: false, why: 'k1 is unbiased; its problem is variance and sign.' },
    ],
  },
  {
    id: 'verifiable-rewards',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'grpo-on-the-tiny-llama',
    prompt: 'When is RL with a verifiable reward (GRPO with a program as the reward) a better choice than DPO on preference pairs?',
    answer:
      'When correctness can be checked by a program (maths answers, unit tests, formats, tool calls): the policy learns from its own fresh samples, the reward cannot be gamed the way a learned reward model can, and no preference data is needed. It helps only where the model already succeeds sometimes: a group that always fails has zero advantages. For subjective qualities (tone, helpfulness) there is no program, and preference data with DPO (or a reward model) is the practical route.',
    choices: [
      {
        text: 'When a program can check answers and the model sometimes gets them right',
        correct: true,
        why: 'Fresh samples, an ungameable reward, and a learning signal in mixed groups.',
      },
      { text: 'When the model never solves the task', correct: false, why: 'All-fail groups have zero advantage: nothing to learn from.' },
      { text: 'When you have a large fixed set of human preference pairs', correct: false, why: 'That is DPO’s setting.' },
      {
        text: 'When memory is tightest',
        correct: false,
        why: 'GRPO without a reference holds one model, but generation of G samples per prompt costs time and KV-cache memory.',
      },
    ],
  },
  {
    id: 'reward-model-held-out',
    kind: 'single',
    topic: 'rl',
    chapter: 'rlhf',
    anchor: 'a-reward-model-from-the-tiny-llama',
    prompt:
      'Your reward model orders about 90% of training pairs right. On held-out prompts it orders every pair whose rejected reply is padded with filler, but only about half of those whose rejected reply states a wrong fact. What do you conclude before running PPO against it?',
    answer:
      'It learned the rule it can read off the text (filler) and, for the training prompts, which answers were right; it did not learn to check facts it was not shown. Averaged accuracy hides this: split held-out accuracy by what the reward should detect. A policy optimised against this model is paid for dropping filler and not for being right, so it can keep or even gain confident wrong answers: reward hacking. Fix the reward first (more and more varied comparisons of the weak kind, a stronger base, an ensemble, or a program as the reward where correctness can be checked), and keep the KL penalty and early stopping.',
    choices: [
      {
        text: 'It generalises a surface rule but not fact-checking; PPO against it would reward style, not correctness',
        correct: true,
        why: 'The per-category held-out accuracy says what the reward actually measures.',
      },
      {
        text: 'It is fine: 75% held-out accuracy is typical for reward models',
        correct: false,
        why: 'The average hides a category at chance, which the policy will exploit.',
      },
      {
        text: 'The learning rate is too low: train longer until held-out matches training',
        correct: false,
        why: 'Training longer fits the training pairs further; it does not add what the pairs do not teach.',
      },
      {
        text: 'The KL penalty alone will keep the policy from exploiting it',
        correct: false,
        why: 'The KL term slows drift from the reference; it does not make the reward measure correctness.',
      },
    ],
  },
] satisfies QuestionInput[];
