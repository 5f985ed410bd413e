import type { QuestionInput } from '../../components/flashcards/schema';

/** DoRA and the LoRA variants: rsLoRA, LoRA+, and how to choose among them. */
export const doraQuestions = [
  {
    id: 'dora-idea',
    kind: 'free',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'the-decomposition',
    seeds: ['001 §why-dora', '001 Q7'],
    prompt: 'What does DoRA change compared with LoRA, and why might separating magnitude from direction help?',
    answer:
      "DoRA (Liu et al. 2024) writes the adapted weight as W = m · (W₀ + sBA) / ‖W₀ + sBA‖, with one norm per output feature: in PyTorch's (out, in) layout PEFT takes torch.linalg.norm(W₀ + sBA, dim=1), one value per row, and m is a trainable vector with one entry per output feature. The low-rank BA changes the direction; m changes the length of each row. m starts as the row norms of W₀, so the layer equals the base layer at initialisation. Motivation: the paper decomposed full fine-tuning updates and found magnitude and direction changes that were not proportional to each other, whereas LoRA's changed together; decoupling lets DoRA mimic full fine-tuning's pattern. The norm is treated as a constant in the backward pass (detached) to save memory. Extra cost: one parameter per output feature per adapted layer, plus computing the norm every step. Claims like \"DoRA at r = 16 equals LoRA at r = 64\" are one note's, not established; measure on your task.",
    rubric: [
      {
        point: 'weight = magnitude × normalised direction',
        phrases: [
          'magnitude & direction',
          'norm*',
          '幅度',
          '方向',
          '大小',
          'how big & which way',
          'size & direction',
          'length & direction',
          '||v||',
          '‖v‖',
          '大小 & 方向',
        ],
      },
      {
        point: 'LoRA updates the direction part',
        phrases: ['BA & direction', 'low rank & direction', 'lora & direction', '方向 & LoRA', '低秩 & 方向'],
      },
      {
        point: 'm trainable, one per output feature',
        phrases: ['vector', 'per output', 'per row', 'one per', '向量', '每个输出', '每行'],
      },
      {
        point: 'm initialised from the norms of W₀ (starts at base model)',
        phrases: ['initiali* & norm', 'starts & base', 'equals the base', '初始化 & 范数', '初始'],
      },
      {
        point: "motivated by full fine-tuning's update pattern",
        phrases: ['full fine tun*', 'weight normalization', 'analysis', '全量微调', '权重归一化'],
      },
    ],
    widget: {
      name: 'dora-analysis',
      params: { rank: 4 },
      label: 'Train DoRA beside LoRA and split the update',
    },
  },
  {
    id: 'dora-norm-axis',
    kind: 'single',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'which-norm-over-which-axis',
    prompt:
      "PEFT stores a linear layer's weight as (out_features, in_features). Over which axis does DoRA take the norm of W₀ + sBA, and how long is the magnitude vector m?",
    answer:
      "PEFT computes torch.linalg.norm(W₀ + sBA, dim=1): the norm of each row, one per output feature, so m has out_features entries. The paper writes W ∈ ℝ^(d×k) and a column-wise norm ‖·‖_c with m ∈ ℝ^(1×k) — its columns correspond to PyTorch's rows because the paper's W is the transpose of the stored one.",
    choices: [
      {
        text: 'dim=1 (each row): m has out_features entries',
        correct: true,
        why: 'One norm per output feature, as PEFT computes it.',
      },
      {
        text: 'dim=0 (each column): m has in_features entries',
        correct: false,
        why: 'That is a literal reading of the paper\'s "column-wise" on the stored layout, which is transposed.',
      },
      {
        text: 'The Frobenius norm of the whole matrix: m is a scalar',
        correct: false,
        why: 'DoRA keeps one magnitude per output feature, not one per matrix.',
      },
      {
        text: 'Over the rank dimension of B: m has r entries',
        correct: false,
        why: 'The norm is of the full adapted weight, not of the adapter factors.',
      },
    ],
  },
  {
    id: 'dora-initial-output',
    kind: 'single',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'how-m-starts',
    prompt: 'At initialisation (B = 0, m = row norms of W₀), what does a DoRA layer compute, and is its bias rescaled?',
    answer:
      "With B = 0 the direction is W₀/‖W₀‖ row by row and m restores each row's norm, so W = W₀: the layer reproduces the base layer exactly. The bias is added as in the base layer and is not rescaled by m.",
    choices: [
      {
        text: 'Exactly the base layer; the bias is not rescaled',
        correct: true,
        why: 'm · W₀/‖W₀‖ = W₀ row by row, and PEFT adds the bias unscaled.',
      },
      {
        text: 'The base layer with every row normalised to length 1',
        correct: false,
        why: 'm multiplies the normalised rows back to their original lengths.',
      },
      {
        text: 'The base layer scaled by α/r',
        correct: false,
        why: 'α/r scales only BA, which is zero at initialisation.',
      },
      {
        text: 'The base layer, with the bias multiplied by m',
        correct: false,
        why: 'The bias is left as it is.',
      },
    ],
  },
  {
    id: 'dora-detached-norm',
    kind: 'single',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'treating-the-norm-as-a-constant',
    prompt: "In DoRA's backward pass, the norm ‖W₀ + sBA‖ is treated as a constant (detached). Why?",
    answer:
      "Section 4.3 of the DoRA paper: differentiating through the norm would need the full d × k weight's gradient graph and a lot of extra memory. Treating the norm as a constant cuts that cost with a negligible change in accuracy; PEFT does the same (it computes the norm under .detach()).",
    choices: [
      {
        text: 'To save memory: the gradient through the norm needs the full weight graph',
        correct: true,
        why: 'The paper reports the memory saving with a negligible accuracy change.',
      },
      {
        text: 'Because the gradient through the norm is exactly zero',
        correct: false,
        why: 'It is not zero; it is dropped as an approximation.',
      },
      {
        text: 'To keep m from changing',
        correct: false,
        why: 'm is trained; detaching the norm does not freeze m.',
      },
      {
        text: 'Because W₀ is frozen',
        correct: false,
        why: 'The norm depends on BA too, which is trained.',
      },
    ],
  },
  {
    id: 'dora-param-count',
    kind: 'numeric',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'lora-and-dora-side-by-side',
    generator: 'dora-params',
    params: {
      model: ['7b', '13b', '1.3b'],
      rank: [8, 16, 32],
      targets: ['qv', 'attention', 'all'],
    },
    prompt: 'DoRA with rank {rank} on {targets} of {model} ({layers} layers): how many trainable parameters in total?',
    answer:
      "LoRA's r·(in + out) per adapted module ({loraParams} in total; module shapes {shapes}) plus one magnitude per output feature of every adapted module ({magnitudes} in total): {answer}.",
  },
  {
    id: 'dora-layer-params',
    kind: 'numeric',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'lora-and-dora-side-by-side',
    generator: 'layer-params',
    params: {
      model: ['7b', '13b'],
      module: ['q', 'v', 'gate', 'down'],
      rank: [4, 8, 16],
      method: ['dora'],
    },
    prompt: 'In {model}, {module} is nn.Linear({in}, {out}). How many parameters does {method} train in this layer at rank {rank}?',
    answer: 'A (r × in) + B (out × r) + the magnitude vector m (out): r·(in + out) + out = {answer}.',
  },
  {
    id: 'rslora-formula',
    kind: 'formula',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'rslora-in-one-paragraph',
    prompt:
      "rsLoRA changes LoRA's scaling factor so that large ranks are not under-scaled. Write the factor that multiplies BAx, in terms of alpha and r.",
    answer:
      'α/√r (PEFT: use_rslora=True), instead of α/r. Kalajdzievski (2023) showed that with α/r the update shrinks as r grows and learning slows at high rank; α/√r keeps it stable.',
    variables: [
      { name: 'alpha', description: 'lora_alpha', min: 1, max: 256, aliases: ['lora_alpha', 'a'] },
      { name: 'r', description: 'rank', min: 1, max: 1024, integer: true, aliases: ['rank'] },
    ],
    reference: 'alpha/sqrt(r)',
  },
  {
    id: 'rslora-why',
    kind: 'single',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'rslora-in-one-paragraph',
    prompt: 'Why does rsLoRA divide by √r instead of r?',
    answer:
      "With α/r and standard initialisation, the adapter's output and its gradient updates shrink as r grows, so higher ranks learn more slowly and do not pay off. Kalajdzievski (2023) derived that α/√r keeps activations and updates at a rank-independent scale, so raising r actually helps.",
    choices: [
      {
        text: "So the update's scale does not shrink as r grows (stable learning at any rank)",
        correct: true,
        why: "That is rsLoRA's rank-stabilisation argument.",
      },
      {
        text: 'To reduce the number of parameters',
        correct: false,
        why: 'The parameter count is r·(in + out) either way.',
      },
      {
        text: 'To make the adapter mergeable',
        correct: false,
        why: 'Any constant scale can be merged.',
      },
      {
        text: 'Because √r is the rank of BA',
        correct: false,
        why: 'The rank of BA is at most r.',
      },
    ],
    widget: {
      name: 'rank-sweep',
      params: { scaling: 'rslora' },
      label: 'Sweep the rank with α/√r scaling',
    },
  },
  {
    id: 'loraplus-ratio',
    kind: 'single',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'lora-a-larger-learning-rate-for-b',
    prompt: 'What does LoRA+ change, and what ratio does its paper suggest?',
    answer:
      'LoRA+ (Hayou et al. 2024) trains B with a larger learning rate than A, η_B = λ·η_A, because in wide networks equal rates make feature learning inefficient. The paper suggests λ = 2⁴ = 16 as a rule of thumb and notes the best ratio depends on the model and task. PEFT exposes it as loraplus_lr_ratio (in create_loraplus_optimizer) with no default value; its docs use 16.',
    widget: { name: 'lora-trainer', params: { loraPlusRatio: 16 }, label: "Train with B's learning rate 16 times A's" },
    choices: [
      {
        text: 'A larger learning rate for B than for A; about 2⁴ = 16 as a starting ratio',
        correct: true,
        why: 'η_B = λ η_A, with λ = 2⁴ suggested as a rule of thumb.',
      },
      {
        text: 'A larger learning rate for A than for B; ratio 16',
        correct: false,
        why: 'It is B, the zero-initialised factor, that gets the larger rate.',
      },
      {
        text: 'A different rank for A and B',
        correct: false,
        why: 'Both keep rank r; only the learning rates differ.',
      },
      {
        text: 'Scaling by α/√r instead of α/r',
        correct: false,
        why: 'That is rsLoRA.',
      },
    ],
  },
  {
    id: 'lora-variants-choice',
    kind: 'free',
    topic: 'dora-variants',
    chapter: 'dora',
    anchor: 'lora-and-dora-side-by-side',
    seeds: ['000 §7'],
    prompt: 'Among LoRA, DoRA, LoRA+, rsLoRA and AdaLoRA, which would you use for a new project and why? Include the costs.',
    answer:
      'Start from LoRA on all linear layers: it is the baseline everyone can reproduce. rsLoRA (α/√r) costs nothing and matters when you use large ranks. LoRA+ costs nothing but adds one hyperparameter (the B/A learning-rate ratio, ~16 as a starting point); it mainly speeds up training. DoRA adds one magnitude vector per adapted layer and a norm computation every step, so training is slower and uses more memory; it often improves quality slightly, but the size of the gain is task-dependent — verify with your own runs rather than trusting "+1–3%" or "r = 16 matches LoRA r = 64". AdaLoRA reallocates rank across layers through an SVD-style parameterisation; it adds complexity and is rarely the default. All except AdaLoRA\'s pruning can be merged into the weights for serving.',
    rubric: [
      {
        point: 'LoRA as the baseline',
        phrases: ['baseline', 'start with lora', 'default', '基线', '默认'],
        contradicts: ['no extra cost', 'always the best', '没有额外成本', '总是最好'],
      },
      {
        point: 'DoRA costs extra compute/memory; gain task-dependent',
        phrases: ['dora & slower', 'dora & memory', 'dora & cost', 'dora & overhead', 'DoRA & 显存', 'DoRA & 开销', 'DoRA & 更慢'],
      },
      {
        point: 'LoRA+ uses different learning rates for A and B',
        phrases: ['lora+ & learning rate', 'loraplus', 'ratio', '学习率 & B', '不同学习率'],
      },
      {
        point: 'rsLoRA for large ranks',
        phrases: ['rslora & rank', 'sqrt', '√r', 'high rank', 'large rank', '高秩', '大秩'],
      },
      {
        point: 'verify claims with own measurements',
        phrases: ['measure', 'verify', 'own runs', 'benchmark', 'ablation', '验证', '实验', '自己测'],
      },
    ],
  },
] satisfies QuestionInput[];
