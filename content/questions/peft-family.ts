import type { QuestionInput } from '../../components/flashcards/schema';

/** Prompt tuning, prefix tuning, P-tuning v2, adapters, (IA)³, AdaLoRA. They link to the PEFT family chapter. */
export const peftFamilyQuestions = [
  {
    id: 'peft-family-params',
    kind: 'numeric',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'side-by-side',
    generator: 'peft-params',
    params: {
      model: ['7b', '13b', '70b'],
      method: ['prompt', 'prefix', 'ia3', 'houlsby', 'parallel'],
      tokens: [10, 20, 100],
      bottleneck: [16, 64, 256],
    },
    prompt:
      '{model} has hidden size {hidden}, {layers} layers, MLP width {intermediate} and key/value width {kvDim}. How many trainable parameters does {setting} have?',
    answer: 'The count is {formula}. For this model: {answer}.',
    widget: {
      name: 'peft-family',
      params: { model: '7b', tokens: 20, bottleneck: 64 },
      label: 'Compare every method’s count on any model',
    },
  },
  {
    id: 'peft-why-not-prefix',
    kind: 'free',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'why-lora-won-and-where-the-others-fit',
    seeds: ['001 §prefix-tuning'],
    prompt: 'Why has LoRA largely replaced prefix tuning and adapters in practice? Is there any case where you would still choose one of them?',
    answer:
      'LoRA merges into the weights (W0 + sBA), so the served model is exactly as fast as the base and takes no context; prefix and prompt tuning spend n positions of every request and add attention work in every layer, and adapters add layers to the forward pass (Hu et al. measured up to about 30% slower forward passes at batch size 1 on GPT-2 medium). LoRA is also more robust: prompt methods are sensitive to initialisation and length and weak on small models. Cases for the others: prompt tuning stores kilobytes per task, useful with thousands of tasks on one large model; (IA)³ trains about 0.01% and merges, good for few-shot; adapters’ nonlinearity when latency does not matter.',
    rubric: [
      {
        point: 'LoRA merges: no inference latency',
        phrases: ['merge*', 'no latency', 'zero latency', 'no extra latency', '合并', '零延迟', '无推理延迟'],
        contradicts: ['prefix tuning works better', '前缀微调效果更好'],
      },
      { point: 'prefix/prompt methods use context positions', phrases: ['context', 'position*', 'sequence length', '上下文', '占用'] },
      { point: 'adapters add layers / latency', phrases: ['extra layer*', 'serial', 'sequential', 'latency', '串行', '延迟'] },
      {
        point: 'niches: tiny per-task storage, many tasks, few-shot',
        phrases: ['storage', 'thousands', 'many tasks', 'multi-tenant', 'few-shot', '多租户', '存储', '参数量更小'],
      },
    ],
  },
  {
    id: 'peft-prefix-reparam',
    kind: 'single',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'prefix-tuning-and-p-tuning-v2',
    prompt: 'Why did Li and Liang train prefix tuning’s prefixes through an MLP, and what happens to the MLP after training?',
    answer:
      'Optimising the prefix vectors directly was unstable and sensitive to the learning rate and initialisation, so they generated the prefixes from a smaller matrix through an MLP (a reparameterisation) during training, then kept only the resulting prefixes. P-tuning v2 later dropped the MLP and trained deep prompts directly. In PEFT this is prefix_projection=True, which with its default width trains about 1.09B parameters on LLaMA-2-7B to store 5.2M.',
    choices: [
      {
        text: 'Direct optimisation was unstable; the MLP is dropped and only the prefixes are kept',
        correct: true,
        why: 'The reparameterisation is a training device.',
      },
      { text: 'The MLP adds nonlinearity that the model keeps using at inference', correct: false, why: 'Only the prefixes it produced are stored.' },
      {
        text: 'The MLP compresses the prefixes to save memory during training',
        correct: false,
        why: 'With PEFT’s defaults it trains far more parameters than it stores.',
      },
      { text: 'It lets the prefixes change with each input', correct: false, why: 'The prefixes are the same for every input of the task.' },
    ],
  },
  {
    id: 'peft-prompt-scale',
    kind: 'single',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'prompt-tuning',
    prompt: 'Lester et al. compared prompt tuning with full fine-tuning of T5 models of increasing size. What did they find?',
    answer:
      'Prompt tuning lagged far behind on small models and the gap closed with scale: at T5-XXL (11B parameters) it matched full fine-tuning on SuperGLUE. That is why prompt tuning has a reputation for needing large models, and part of why P-tuning v2 added prompts in every layer.',
    choices: [
      { text: 'The gap closed as models grew and vanished around 11B parameters', correct: true, why: 'The paper’s title: the power of scale.' },
      { text: 'Prompt tuning beat fine-tuning at every size', correct: false, why: 'It was far behind on small models.' },
      { text: 'The gap grew with model size', correct: false, why: 'The opposite.' },
      { text: 'There was no difference at any size', correct: false, why: 'Small models showed a large gap.' },
    ],
  },
  {
    id: 'peft-context-cost',
    kind: 'multiple',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'side-by-side',
    prompt: 'Which of these methods cost something at inference even after training is finished? (Select all that apply.)',
    answer:
      'Prompt tuning and prefix tuning (and P-tuning v2) keep their virtual tokens in every forward pass and take positions of the context; bottleneck adapters keep their extra layers. LoRA, AdaLoRA and (IA)³ fold into the weights and cost nothing once merged.',
    choices: [
      { text: 'Prompt tuning', correct: true, why: 'Its soft prompt is prepended to every input.' },
      { text: 'Prefix tuning', correct: true, why: 'Its keys and values are attended in every layer.' },
      { text: 'Bottleneck adapters', correct: true, why: 'The adapter layers stay in the forward pass.' },
      { text: 'LoRA', correct: false, why: 'W0 + sBA merges into one matrix.' },
      { text: '(IA)³', correct: false, why: 'Its scaling vectors fold into the rows or columns of the weights.' },
      { text: 'AdaLoRA', correct: false, why: 'P Λ Q is a matrix like B A and merges the same way.' },
    ],
  },
  {
    id: 'peft-prefix-as-adapter',
    kind: 'single',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'prefix-tuning-and-p-tuning-v2',
    prompt: 'He et al. (2022) showed that prefix tuning can be rewritten as another PEFT method. Which one, and how?',
    answer:
      'A parallel adapter on attention with a gate: attention over [P_K; K] equals λ(q)·Attn(q, P_K, P_V) + (1 − λ(q))·Attn(q, K, V), where λ(q) is the share of the softmax mass that falls on the prefix. The prefix branch is computed beside the original attention and blended in by an input-dependent gate.',
    choices: [
      {
        text: 'A gated parallel adapter on attention; the gate is the prefix’s share of the softmax mass',
        correct: true,
        why: 'The attention output splits exactly that way.',
      },
      { text: 'LoRA on W_K and W_V', correct: false, why: 'A prefix adds rows to the keys and values, not a low-rank change to the projections.' },
      { text: 'Prompt tuning with a longer prompt', correct: false, why: 'Prompt tuning acts on the input only; prefixes act in every layer.' },
      { text: '(IA)³ on the keys', correct: false, why: '(IA)³ rescales existing keys; it adds none.' },
    ],
  },
  {
    id: 'peft-ia3',
    kind: 'single',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'ia',
    prompt: 'What does (IA)³ train, and why does it cost nothing at inference?',
    answer:
      'Three vectors per layer, initialised to one, that rescale activations elementwise: the keys, the values and the feed-forward inner activations (in PEFT for LLaMA: k_proj and v_proj outputs, down_proj input). Rescaling a layer’s outputs is diag(l)·W and rescaling its inputs is W·diag(l), so the vectors fold into the weights after training. On LLaMA-2-7B that is 614,400 parameters, about 0.01%.',
    choices: [
      {
        text: 'Vectors that rescale keys, values and feed-forward activations; they fold into the weights',
        correct: true,
        why: 'A diagonal scaling merges into the adjacent matrix.',
      },
      { text: 'Low-rank matrices beside the attention projections', correct: false, why: 'That is LoRA.' },
      { text: 'Extra tokens in every layer', correct: false, why: 'That is prefix tuning.' },
      { text: 'A bottleneck MLP per block', correct: false, why: 'That is an adapter.' },
    ],
  },
  {
    id: 'peft-adalora',
    kind: 'free',
    topic: 'peft-family',
    chapter: 'peft-family',
    anchor: 'adalora',
    prompt: 'How does AdaLoRA decide how much rank each weight matrix gets, and what does it cost you to use it?',
    answer:
      'It parameterises each update in SVD form, P Λ Q, with a regulariser keeping P and Q near orthogonal, scores each singular value by a smoothed sensitivity (how much the loss changes without it), and prunes the least important ones on a schedule until the average rank reaches the budget (PEFT: init_r 12 down to target_r 8), so matrices that matter keep more rank. Costs: one extra number per rank, the orthogonality regulariser and its weight, importance scores computed during training, and a schedule that needs the total number of steps in advance (total_step, tinit, tfinal). Merges like LoRA afterwards.',
    rubric: [
      {
        point: 'SVD form P Λ Q',
        phrases: ['svd', 'singular value*', 'p λ q', 'plq', '奇异值'],
        contradicts: ['adaptive learning rate', '自适应学习率'],
      },
      {
        point: 'importance / sensitivity scores prune singular values',
        phrases: ['importance', 'sensitivity', 'prune*', 'budget', '重要性', '剪枝', '预算'],
      },
      { point: 'orthogonality regulariser', phrases: ['orthogonal*', 'regulari*', '正交'] },
      { point: 'needs the total steps / schedule', phrases: ['total_step', 'total step*', 'schedule', 'tinit', '总步数', '调度'] },
    ],
  },
] satisfies QuestionInput[];
