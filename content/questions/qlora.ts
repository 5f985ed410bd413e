import type { QuestionInput } from '../../components/flashcards/schema';

/** QLoRA: NF4, double quantization, paged optimizers, memory, and debugging a QLoRA run. */
export const qloraQuestions = [
  {
    id: 'qlora-three-techniques',
    kind: 'free',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'training-on-a-4-bit-base',
    seeds: ['001 Q2'],
    prompt: 'What are the three techniques QLoRA introduced, and how do they let you fine-tune a 7B model on a single consumer GPU?',
    answer:
      'QLoRA (Dettmers et al. 2023) freezes the base model in 4 bits and trains LoRA adapters in 16 bits through it. (1) NF4, a 4-bit data type whose 16 levels are quantiles of a normal distribution, suited to normally distributed weights; each block of 64 weights stores one absmax scale. (2) Double quantization: the fp32 block scales (32/64 = 0.5 bit per weight) are themselves quantized to 8 bits in blocks of 256, bringing the overhead to about 0.127 bit, {nf4BitsDq} bits per weight in total instead of {nf4Bits}. (3) Paged optimizers: optimizer states live in NVIDIA unified memory and are paged to CPU RAM when a long batch causes a memory spike, avoiding out-of-memory crashes. During the forward and backward passes each weight block is dequantized to the compute dtype (bf16) for the matmul; gradients flow through the frozen weights into the adapters only. For LLaMA-2-7B the weights take about {qloraWeights7bGB} GB (linear layers in NF4, embeddings in bf16), adapter states tens to hundreds of MB, plus activations: it fits a 24 GB GPU with room for activations, and smaller ones with short sequences and checkpointing.',
    rubric: [
      {
        point: 'NF4 data type (normal quantiles)',
        phrases: ['nf4', 'normal float', 'normalfloat', 'quantile*', '正态', '分位数'],
      },
      {
        point: 'double quantization of the scales',
        phrases: ['double quant*', 'quantize the scale*', 'scales & 8 bit', '双重量化', '二次量化'],
      },
      {
        point: 'paged optimizers (unified memory)',
        phrases: ['paged', 'unified memory', 'page*', '分页'],
      },
      {
        point: 'LoRA adapters trained in 16-bit through the frozen 4-bit base',
        phrases: [
          'lora & frozen',
          'adapter* & bf16',
          'adapter* & 16 bit',
          'adapter* & frozen',
          'dequantiz*',
          '反量化',
          '适配器 & bf16',
          '适配器 & 16',
          'LoRA & 冻结',
          '基座 & 冻结',
        ],
        contradicts: [
          'quantiz* the lora adapter*',
          'quantiz* the adapter*',
          'adapter* in int4',
          'trains them in int4',
          '适配器 & 量化到',
          '量化 LoRA',
        ],
      },
      {
        point: 'about 4 GB of weights for 7B',
        phrases: ['4 gb', '7b & gb', 'weights & gb', '0.5 byte*', '约 4 GB', '7B & GB'],
      },
    ],
    widget: {
      name: 'nf4-quantizer',
      params: { distribution: 'normal' },
      label: 'Quantize normally distributed weights to NF4',
    },
  },
  {
    id: 'nf4-construction',
    kind: 'multiple',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'quantile-quantization-and-nf4',
    prompt: "Which statements about bitsandbytes' NF4 code book are true? (Select all that apply.)",
    answer:
      'bitsandbytes builds NF4 asymmetrically: 8 positive levels from Φ⁻¹ at 9 evenly spaced probabilities from 0.9677083 down to 0.5 (the last, 0, dropped), 7 negative levels from 8 such points, and an exact 0; all 16 are divided by the largest, so the ends are exactly −1 and 1. The values are hard-coded in bitsandbytes (get_4bit_type("nf4")). A weight is divided by its block\'s absmax and mapped to the nearest level.',
    choices: [
      {
        text: 'It contains an exact zero',
        correct: true,
        why: 'Padding and zero weights are represented exactly.',
      },
      {
        text: 'It has 8 positive and 7 negative non-zero levels',
        correct: true,
        why: 'With 0, that makes 16 levels; the asymmetry buys the exact zero.',
      },
      {
        text: 'Its ends are exactly −1 and 1',
        correct: true,
        why: 'All levels are divided by the largest one.',
      },
      {
        text: 'Its levels are Φ⁻¹((2i+1)/32) for i = 0..15',
        correct: false,
        why: 'That symmetric construction has no exact zero; it is not what bitsandbytes uses.',
      },
      {
        text: 'The levels are evenly spaced',
        correct: false,
        why: 'That is INT4; NF4 levels crowd near zero where normal weights are dense.',
      },
      {
        text: 'A weight is rounded up to the next level',
        correct: false,
        why: 'It goes to the nearest level: thresholds are the midpoints between levels.',
      },
    ],
    widget: {
      name: 'nf4-grid',
      params: { grid: 'nf4' },
      label: 'See the 16 NF4 levels',
    },
  },
  {
    id: 'nf4-bits-per-param',
    kind: 'numeric',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'double-quantization',
    generator: 'nf4-bits',
    params: {
      doubleQuant: [true, false],
      blockSize: [32, 64, 128, 256],
      secondBlock: [256],
    },
    prompt:
      'NF4 stores 4-bit codes with one absmax scale per block of {blockSize} weights, {dq} (fp32 scales without it; with it, 8-bit scales plus one fp32 constant per {secondBlock} scales). How many bits per parameter does storage take on average? Give three decimals: the difference between the options is in the third.',
    answer: 'Without double quantization: 4 + 32/{blockSize}. With it: 4 + 8/{blockSize} + 32/({blockSize} · {secondBlock}). Here: {answer}.',
  },
  {
    id: 'double-quant-formula',
    kind: 'formula',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'double-quantization',
    prompt:
      'With double quantization, each block of B1 weights has an 8-bit scale code, and each group of B2 scales shares one fp32 constant. Write the average bits per weight, including the 4-bit code, in terms of B1 and B2.',
    answer:
      '4 + 8/B1 + 32/(B1·B2). For B1 = 64, B2 = 256: 4 + 0.125 + 0.00195 ≈ {nf4BitsDq} bits, against 4 + 32/64 = {nf4Bits} without double quantization: a saving of {dqSavingBits} bit per weight.',
    variables: [
      {
        name: 'B1',
        description: 'first-level block size',
        min: 16,
        max: 4096,
        integer: true,
      },
      {
        name: 'B2',
        description: 'second-level block size',
        min: 16,
        max: 4096,
        integer: true,
      },
    ],
    reference: '4 + 8/B1 + 32/(B1*B2)',
  },
  {
    id: 'qlora-weight-memory',
    kind: 'numeric',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'how-much-memory-the-weights-take',
    generator: 'qlora-weights',
    params: {
      model: ['7b', '13b', '70b'],
      doubleQuant: [true, false],
      unit: ['GB', 'GiB'],
    },
    prompt:
      'QLoRA loads {model} with its {linearParams} linear-layer weights in NF4 {dq} ({bits} bits each) and the other {otherParams} parameters (embeddings, output head, norms) in bf16. How much memory do the weights take, in {unit}?',
    answer: 'Linear layers: {linearParams} × {bits} / 8 bytes. The rest: {otherParams} × 2 bytes. Sum: {answer}.',
  },
  {
    id: 'qlora-total-memory',
    kind: 'numeric',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'how-much-memory-the-weights-take',
    generator: 'qlora-memory',
    params: {
      model: ['7b', '13b', '70b'],
      rank: [16, 64],
      targets: ['all'],
      unit: ['GB', 'GiB'],
    },
    prompt:
      'QLoRA on {model}: linear layers in NF4 with double quantization, the rest in bf16, and a rank-{rank} adapter on {targets} ({loraParams} parameters) trained with AdamW at 16 bytes per parameter. Model-state memory, in {unit}? (Ignore activations.)',
    answer:
      "NF4 linear layers at {nf4BitsDq} bits per weight, bf16 for the rest, plus {loraParams} × 16 bytes for the adapter's bf16 weights, gradients and fp32 Adam states: {answer}.",
    widget: {
      name: 'zero-memory',
      params: { model: '7b', gpus: 1, method: 'qlora' },
      label: 'QLoRA memory on one GPU',
    },
  },
  {
    id: 'nf4-vs-int4',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'nf4-against-int4-which-grid-wins-depends-on-the-block',
    prompt: 'For which block of weights would a uniform INT4 grid give a lower quantization error than NF4?',
    answer:
      'NF4 puts its levels where normally distributed values are dense (near zero) and few near ±absmax. A block whose values crowd near ±absmax, or are spread uniformly, is served better by evenly spaced INT4 levels. NF4 wins for the roughly normal blocks typical of trained weights, not for every block.',
    choices: [
      {
        text: 'A block whose values crowd near ±absmax',
        correct: true,
        why: "NF4 has few levels out there; INT4's even spacing covers them better.",
      },
      {
        text: 'A block drawn from a standard normal distribution',
        correct: false,
        why: 'That is exactly the case NF4 is built for.',
      },
      {
        text: 'No block: NF4 always has the lower error',
        correct: false,
        why: 'Its advantage depends on the distribution; run the quantizer on a block crowded near ±absmax to see.',
      },
      {
        text: 'A block with a single large outlier and the rest near zero',
        correct: false,
        why: 'After absmax scaling most values sit near zero, where NF4 has its densest levels.',
      },
    ],
    widget: {
      name: 'nf4-quantizer',
      params: { distribution: 'crowded', show: 'int4' },
      label: 'Compare NF4 and INT4 on a block crowded near ±absmax',
    },
  },
  {
    id: 'fp4-values',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'the-other-4-bit-grids-int4-and-fp4',
    prompt: 'bitsandbytes also offers FP4 (1 sign, 2 exponent, 1 mantissa bit). Which set are its non-negative values, before scaling?',
    widget: {
      name: 'nf4-grid',
      params: { grid: 'fp4' },
      label: 'Draw the FP4 grid beside NF4',
    },
    answer:
      "bitsandbytes' FP4 magnitudes are 0, 0.0625, 2, 3, 4, 6, 8, 12, divided by 12 so the largest is 1, each with both signs (its table lists them in code order: 0, 0.0625, 8, 12, 4, 6, 2, 3).",
    choices: [
      {
        text: '0, 0.0625, 2, 3, 4, 6, 8, 12 (÷ 12)',
        correct: true,
        why: 'As hard-coded in bitsandbytes.',
      },
      {
        text: '0, 1, 2, 3, 4, 5, 6, 7 (÷ 7)',
        correct: false,
        why: 'That is the INT4 grid.',
      },
      {
        text: 'The 8 positive NF4 levels',
        correct: false,
        why: 'NF4 levels are normal quantiles, not floating-point numbers.',
      },
      {
        text: '0, 0.5, 1, 1.5, 2, 3, 4, 6 (÷ 6)',
        correct: false,
        why: "That is the E2M1 format of the OCP MX specification, not bitsandbytes' FP4.",
      },
    ],
  },
  {
    id: 'paged-optimizers',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'paged-optimizers',
    prompt: "What do QLoRA's paged optimizers do?",
    answer:
      'They allocate optimizer states in NVIDIA unified memory, which pages automatically between GPU and CPU: when a long sequence causes a memory spike, optimizer pages move to CPU RAM and come back for the update, instead of the run crashing with out-of-memory.',
    choices: [
      {
        text: 'Keep optimizer states in unified memory that pages to CPU RAM during memory spikes',
        correct: true,
        why: 'That is the feature, built on CUDA unified memory.',
      },
      {
        text: "Quantize Adam's moments to 4 bits",
        correct: false,
        why: 'bitsandbytes has 8-bit optimizers, but paging is a separate idea.',
      },
      {
        text: 'Split the optimizer states across GPUs',
        correct: false,
        why: 'That is ZeRO-1.',
      },
      {
        text: 'Update only a page of parameters per step',
        correct: false,
        why: 'Every adapter parameter is updated every step.',
      },
    ],
  },
  {
    id: 'qlora-compute-dtype',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'the-compute-dtype-bfloat16-not-float16',
    prompt: 'In a QLoRA forward pass, in what precision is the matmul with a frozen base weight done?',
    answer:
      'The NF4 block is dequantized (code → level × absmax) to the compute dtype, bnb_4bit_compute_dtype, and the matmul runs in that dtype; the QLoRA paper used bf16. 4-bit is only the storage format. fp16 also works but has a narrower range, so bf16 is preferred on GPUs that support it.',
    choices: [
      {
        text: 'In the compute dtype (bf16 in the paper) after dequantizing the block',
        correct: true,
        why: 'NF4 is a storage type; compute happens in 16 bits.',
      },
      {
        text: 'Directly in 4-bit integer arithmetic',
        correct: false,
        why: 'NF4 levels are not integers; the weights are dequantized first.',
      },
      {
        text: 'In fp32, always',
        correct: false,
        why: 'fp32 is possible but slow; bf16 is the usual compute dtype.',
      },
      {
        text: 'In NF4 for the forward pass and bf16 for the backward pass',
        correct: false,
        why: 'Both passes dequantize and compute in the compute dtype.',
      },
    ],
  },
  {
    id: 'small-gpu-7b',
    kind: 'free',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'how-much-memory-the-weights-take',
    seeds: ['002 Q1'],
    prompt: 'You have a GPU with 8 GB of memory. How would you fine-tune a 7B model on it, and what limits you?',
    answer:
      "Use QLoRA: the 7B base in NF4 with double quantization takes about {qloraWeights7bGB} GB, which leaves about {left8GbAfter7bQlora} GB for the adapter, its optimizer states and activations. Use a modest rank on all linear layers (the adapter's 16 bytes per parameter is small), gradient checkpointing to cut activations, micro-batch 1 with short sequences and gradient accumulation to reach a useful effective batch, and a paged (or 8-bit) optimizer to survive spikes. The limits are activations, which grow with sequence length, and speed: dequantizing every step makes QLoRA slower than 16-bit LoRA. Full fine-tuning ({full7bGB} GB of model states) or even 16-bit LoRA ({bf16Weights7bGB} GB of weights alone) cannot fit.",
    rubric: [
      {
        point: 'QLoRA / 4-bit base',
        phrases: ['qlora', '4 bit', '4-bit', 'nf4', '量化'],
        contradicts: ['full fine tuning with fp16 fits', 'full fine tuning fits', '全量微调 & 放得下', '全量微调就可以'],
      },
      {
        point: 'gradient checkpointing',
        phrases: ['checkpoint*', 'recompute', '重计算', '检查点'],
      },
      {
        point: 'small micro-batch with gradient accumulation',
        phrases: ['accumulat*', 'micro batch', 'batch size 1', '梯度累积'],
      },
      {
        point: 'activations / sequence length are the limit',
        phrases: ['activation*', 'sequence length', 'context length', '激活', '序列长度'],
      },
      {
        point: 'paged or 8-bit optimizer',
        phrases: ['paged', '8 bit optim*', '8-bit adam', '分页', '8bit'],
      },
    ],
  },
  {
    id: 'qlora-or-lora',
    kind: 'free',
    topic: 'qlora-nf4',
    chapter: 'choosing-a-method',
    anchor: 'the-decision-table',
    seeds: ['003 Q3'],
    prompt: 'How do you choose between QLoRA and 16-bit LoRA?',
    answer:
      'Choose by memory first. If the base model in bf16 (2 bytes per parameter) plus activations fits your GPUs, use LoRA: it trains faster (no dequantization every step) and avoids any quantization error in the base. If it does not fit, QLoRA cuts weight memory by about 4x at a modest cost in speed; the QLoRA paper found NF4 + LoRA on all linear layers matched 16-bit fine-tuning on its benchmarks. Two practical points: with QLoRA, merging the adapter into a 4-bit base is lossy, so merge into a bf16 copy of the base; and quick experiments on small GPUs favour QLoRA, while large production runs with enough memory favour LoRA.',
    rubric: [
      {
        point: 'decide by whether the bf16 base fits',
        phrases: ['fit*', 'vram', 'enough memory', 'memory & enough', 'memory & short', 'if & memory', '显存 & 够', '放得下', '放不下', '显存不够'],
      },
      {
        point: 'QLoRA slower (dequantization)',
        phrases: ['slower', 'dequantiz*', 'speed', '更慢', '速度', '反量化'],
        contradicts: ['qlora is faster', 'faster than lora', 'QLoRA 比 LoRA 快', 'QLoRA 更快', 'strictly better'],
      },
      {
        point: 'QLoRA matched 16-bit in the paper / small quality cost',
        phrases: ['match*', 'comparable', 'similar quality', 'quantization error', '接近', '量化误差', '效果相当', '效果 & 相当', '相当', '差不多'],
      },
      {
        point: 'merging into a 4-bit base is lossy',
        phrases: ['merg*', '合并'],
      },
    ],
  },
  {
    id: 'qlora-loss-not-converging',
    kind: 'free',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'training-on-a-4-bit-base',
    seeds: ['001 Q17'],
    prompt: 'A QLoRA fine-tune of a 70B model does not converge. How do you track down the cause?',
    answer:
      'First make the problem small: overfit one or a few examples — the loss should fall close to zero within tens of steps; if it does not, the bug is in data, masking or setup, not in the size. Then check, roughly in order: (1) the chat template: decode a tokenized example and verify role markers, special tokens and EOS match what the model was trained with; (2) loss masking: labels should be −100 on the prompt and padding, and the count of supervised tokens should be what you expect; (3) learning rate and schedule: too high shows as a loss that oscillates or spikes (typical LoRA rates are around 1e-4 to 2e-4, lower for large models); (4) precision: compute dtype bf16, gradient norms finite, no fp16 overflow; (5) the setup: prepare_model_for_kbit_training called, adapters attached to the intended modules (print_trainable_parameters), gradient checkpointing with inputs requiring grad; (6) data: empty, truncated or extremely long samples, stray special tokens in text — inspect the highest-loss examples; (7) effective batch size (micro-batch × accumulation × GPUs) large enough to make gradients stable.',
    rubric: [
      {
        point: 'overfit a tiny subset first',
        phrases: ['overfit', 'one example', 'few examples', 'single example', 'tiny', '过拟合', '一条数据', '少量数据'],
        contradicts: ['cannot train 70b', 'qlora can not train', '本来就训练不了'],
      },
      {
        point: 'chat template / special tokens',
        phrases: ['template', 'special token*', 'eos', '模板', '特殊'],
      },
      {
        point: 'loss masking of prompt tokens',
        phrases: ['mask*', '-100', 'labels', '掩码', 'mask'],
      },
      {
        point: 'learning rate too high',
        phrases: ['learning rate', 'lr', '学习率'],
      },
      {
        point: 'precision / compute dtype / NaN gradients',
        phrases: ['bf16', 'compute dtype', 'nan', 'gradient norm', 'fp16', '精度', '梯度范数'],
      },
      {
        point: 'check adapters attached / trainable parameters',
        phrases: ['trainable param*', 'prepare_model_for_kbit_training', 'attached', 'target modules', '可训练参数'],
      },
    ],
  },
  {
    id: 'qlora-defaults-not-nf4',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'the-compute-dtype-bfloat16-not-float16',
    prompt: 'You load a model with BitsAndBytesConfig(load_in_4bit=True) and nothing else, then train LoRA adapters. What base are you training on?',
    answer:
      'An FP4 base, without double quantization, computing in float32: transformers’ BitsAndBytesConfig defaults to bnb_4bit_quant_type="fp4", bnb_4bit_use_double_quant=False and a float32 compute dtype (bitsandbytes’ Linear4bit also defaults to FP4). QLoRA is bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True and bnb_4bit_compute_dtype=torch.bfloat16.',
    choices: [
      { text: 'FP4, no double quantization, float32 compute', correct: true, why: 'Those are the defaults; NF4 must be asked for.' },
      { text: 'NF4 with double quantization, bfloat16 compute', correct: false, why: 'That is QLoRA, but it is not the default.' },
      { text: 'INT4 with one scale per tensor', correct: false, why: 'bitsandbytes’ 4-bit types are blockwise FP4 and NF4.' },
      { text: 'NF4 without double quantization', correct: false, why: 'The default quant type is FP4.' },
    ],
  },
  {
    id: 'qlora-merge-into-4bit',
    kind: 'single',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'qlora-in-practice',
    prompt: 'After QLoRA training you call merge_and_unload() on the 4-bit model. What happens, and what is the better way to ship a merged model?',
    answer:
      'PEFT dequantizes each layer, adds the update and quantizes the sum to NF4 again, a fresh rounding of the whole matrix whose error is about as large as the fine-tuning update itself (PEFT warns that generations may change). Merging into the original 16-bit weights is not faithful either, because the adapter learned to correct the quantized base. Dequantize the base to bf16, merge there, and ship a 16-bit model (or ship the adapter unmerged with the 4-bit base).',
    choices: [
      {
        text: 'It re-quantizes the merged weights, adding noise as large as the update; merge into a bf16 dequantized copy instead',
        correct: true,
        why: 'The second rounding is a full NF4 error on every weight.',
      },
      {
        text: 'It merges exactly, since NF4 is lossless for small updates',
        correct: false,
        why: 'NF4 rounds every weight to one of 16 levels per block.',
      },
      {
        text: 'It merges into the original fp16 weights, which is exact',
        correct: false,
        why: 'The adapter was trained against the quantized base, not the original.',
      },
      { text: 'It fails: 4-bit layers cannot be merged', correct: false, why: 'PEFT supports it, with a warning about rounding.' },
    ],
  },
  {
    id: 'qlora-input-grads',
    kind: 'free',
    topic: 'qlora-nf4',
    chapter: 'qlora-nf4',
    anchor: 'qlora-in-practice',
    prompt: 'What does PEFT’s prepare_model_for_kbit_training do, and why does it call enable_input_require_grads when gradient checkpointing is on?',
    answer:
      'It freezes all base parameters, casts every fp16/bf16 parameter that is not 4-bit (embeddings, output head, norms) to fp32 for stability, and enables gradient checkpointing. With reentrant checkpointing (use_reentrant=True), a checkpointed segment whose inputs do not require gradients returns no gradients at all; with a frozen base the hidden states entering the first block do not, so the LoRA weights inside would silently get zero gradients. Making the embedding output require grad fixes that; with use_reentrant=False the hook is not needed. The fp32 upcast costs memory: about 0.5 GB more on LLaMA-2-7B.',
    rubric: [
      {
        point: 'freezes the base',
        phrases: ['freez*', 'requires_grad = false', 'requires_grad=false', '冻结'],
        contradicts: ['quantiz* the model to 4', '量化成 4 bit', '量化成4 bit', '量化成 4 比特'],
      },
      {
        point: 'casts non-4-bit params (norms, embeddings, head) to fp32',
        phrases: ['fp32', 'float32', 'upcast', 'layernorm', 'norm*', '转为 fp32', '上转'],
      },
      {
        point: 'reentrant checkpointing needs an input that requires grad',
        phrases: ['reentrant', 'use_reentrant', 'requires grad', 'input* & grad*', '重入', '输入 & 梯度', 'requires_grad'],
      },
      {
        point: 'otherwise the adapters get no gradient',
        phrases: ['no gradient*', 'zero gradient*', 'get no grad*', 'silently', '没有梯度', '梯度为'],
      },
    ],
  },
] satisfies QuestionInput[];
