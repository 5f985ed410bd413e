import type { QuestionInput } from '../../components/flashcards/schema';

/** ZeRO and distributed training: memory per GPU, communication, offload, and what to use with LoRA. */
export const zeroQuestions = [
  {
    id: 'zero2-versus-zero3',
    kind: 'free',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'zero-2-and-zero-3-side-by-side',
    seeds: ['001 Q11'],
    prompt:
      'What is the core difference between DeepSpeed ZeRO-2 and ZeRO-3, in memory and in communication? Which would you use for LoRA fine-tuning?',
    answer:
      'ZeRO-2 shards optimizer states and gradients over the N data-parallel GPUs but keeps a full copy of the 16-bit weights on each: 2Ψ + 14Ψ/N bytes per GPU for full mixed-precision training. ZeRO-3 also shards the weights: 16Ψ/N, gathering each layer\'s weights just before it is used. Communication per step (ZeRO paper, section 7): plain data parallelism all-reduces gradients, 2Ψ elements per GPU; ZeRO-1 and ZeRO-2 do a reduce-scatter plus an all-gather, also 2Ψ; ZeRO-3 all-gathers the weights for the forward and again for the backward pass and reduce-scatters the gradients, 3Ψ, 1.5x data parallelism (not "3x versus 1x"). For LoRA, gradients and optimizer states are tiny, so ZeRO-2\'s sharding saves little; what matters is whether each GPU can hold the frozen base weights. If it can, ZeRO-2 (or plain DDP) avoids gathering the frozen weights twice per step; if it cannot (e.g. 70B in bf16), ZeRO-3 shards the base, or QLoRA shrinks it so ZeRO-2 suffices.',
    rubric: [
      {
        point: 'ZeRO-2 shards optimizer states + gradients',
        phrases: ['zero 2 & gradient*', 'optimizer state* & gradient*', 'ZeRO-2 & 梯度', '优化器状态 & 梯度'],
      },
      {
        point: 'ZeRO-3 also shards the parameters',
        phrases: [
          'zero 3 & param*',
          'zero 3 & weight*',
          'shard* & weight*',
          'ZeRO-3 & 参数',
          '参数也',
          'stage 3 & weight*',
          'stage 3 & param*',
          'split* & weight*',
          'weights as well',
          'parameters as well',
        ],
      },
      {
        point: 'communication 2Ψ vs 3Ψ (1.5x)',
        phrases: ['1.5', '3 psi', '3ψ', '3Ψ', 'all gather & twice', '1.5 倍'],
        contradicts: [
          'communicat* less than zero 2',
          'less communication than zero 2',
          '比 ZeRO-2 通信少',
          'ZeRO-3 通信更少',
          'ZeRO-3 比 ZeRO-2 通信少',
          'ZeRO-3 通信少',
        ],
      },
      {
        point: 'LoRA: trainable states tiny; choose by whether the base fits',
        phrases: ['fit*', 'frozen', 'base model', 'tiny', '冻结', '基座', '放得下'],
      },
    ],
    widget: {
      name: 'zero-memory',
      params: { model: '7b', gpus: 8, method: 'lora' },
      label: 'Compare ZeRO stages for LoRA on 8 GPUs',
    },
  },
  {
    id: 'zero-memory-per-gpu',
    kind: 'numeric',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'three-stages-each-sharding-one-more-term',
    generator: 'zero-memory',
    params: {
      paramsB: [7.5, 13, 70, 1.3],
      stage: [0, 1, 2, 3],
      gpus: [8, 16, 64],
      unit: ['GB', 'GiB'],
    },
    prompt:
      'Full mixed-precision Adam training (2 + 2 + 12 bytes per parameter) of a {paramsB}B-parameter model on {gpus} GPUs with {stage}. How much model-state memory per GPU, in {unit}? (Ignore activations and buffers.)',
    answer:
      'DP keeps 16 bytes per parameter; ZeRO-1 4 + 12/N; ZeRO-2 2 + 14/N; ZeRO-3 16/N. With N = {gpus}: {bytesPerParam} bytes per parameter × {paramsB}B = {answer}.',
    widget: {
      name: 'zero-memory',
      params: { model: 'custom', customSize: 7.5, gpus: 64, method: 'full' },
      label: "The paper's 7.5B model on 64 GPUs",
    },
  },
  {
    id: 'zero-communication-volume',
    kind: 'numeric',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'what-it-costs-communication-per-step',
    generator: 'zero-comm',
    params: {
      paramsB: [7.5, 13, 70],
      stage: [0, 2, 3],
      gpus: [8, 64],
      unit: ['GB'],
    },
    prompt:
      "Training a {paramsB}B-parameter model with {stage} on {gpus} GPUs, 16-bit gradients and weights on the wire. Using the ZeRO paper's accounting (an all-reduce moves 2Ψ elements per GPU, ring factor (N−1)/N rounded to 1), how much data does each GPU send per step, in {unit}?",
    answer: 'Collectives per step: {collectives}. DP and ZeRO-1/2 move 2Ψ elements, ZeRO-3 3Ψ; at 2 bytes per element: {answer}.',
  },
  {
    id: 'zero3-communication-factor',
    kind: 'single',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'what-it-costs-communication-per-step',
    prompt: "Per the ZeRO paper, how does ZeRO-3's communication volume per step compare with plain data parallelism?",
    answer:
      'Data parallelism all-reduces the gradients: a reduce-scatter plus an all-gather, 2Ψ. ZeRO-1 and ZeRO-2 keep 2Ψ. ZeRO-3 all-gathers the weights before the forward pass (Ψ) and before the backward pass (Ψ) and reduce-scatters the gradients (Ψ): 3Ψ, i.e. 1.5x.',
    choices: [
      {
        text: '1.5x (3Ψ against 2Ψ)',
        correct: true,
        why: 'Two weight all-gathers plus one gradient reduce-scatter.',
      },
      {
        text: '3x (3Ψ against Ψ)',
        correct: false,
        why: "Data parallelism's all-reduce is 2Ψ, not Ψ; this is the error in some notes.",
      },
      {
        text: 'The same (2Ψ)',
        correct: false,
        why: 'That is ZeRO-1 and ZeRO-2.',
      },
      {
        text: 'N times more, for N GPUs',
        correct: false,
        why: 'Ring collectives move about the same bytes per GPU whatever N is.',
      },
    ],
  },
  {
    id: 'zero1-memory-formula',
    kind: 'formula',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'three-stages-each-sharding-one-more-term',
    prompt:
      'Write the model-state bytes per GPU under ZeRO-1 for mixed-precision Adam (2-byte weights, 2-byte gradients, 12 bytes of optimizer state per parameter), with psi parameters and N GPUs.',
    answer:
      'ZeRO-1 shards only the optimizer states: 2ψ + 2ψ + 12ψ/N = 4ψ + 12ψ/N. With N = 8 that is {zero1BytesN8} bytes per parameter (ZeRO-2: {zero2BytesN8}, ZeRO-3: {zero3BytesN8}).',
    variables: [
      { name: 'psi', description: 'parameters ψ', min: 1e8, max: 1e12, aliases: ['P', 'params'] },
      { name: 'N', description: 'GPUs', min: 1, max: 1024, integer: true, aliases: ['Nd', 'n_gpus', 'gpus'] },
    ],
    reference: '4*psi + 12*psi/N',
  },
  {
    id: 'zero2-memory-formula',
    kind: 'formula',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'three-stages-each-sharding-one-more-term',
    prompt:
      'Write the model-state bytes per GPU under ZeRO-2 for mixed-precision Adam (2 + 2 + 12 bytes per parameter), with psi parameters and N GPUs.',
    answer: 'ZeRO-2 shards gradients and optimizer states, keeping the 16-bit weights whole: 2ψ + (2 + 12)ψ/N = 2ψ + 14ψ/N.',
    variables: [
      { name: 'psi', description: 'parameters ψ', min: 1e8, max: 1e12, aliases: ['P', 'params'] },
      { name: 'N', description: 'GPUs', min: 1, max: 1024, integer: true, aliases: ['Nd', 'n_gpus', 'gpus'] },
    ],
    reference: '2*psi + 14*psi/N',
  },
  {
    id: 'zero-largest-model',
    kind: 'numeric',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'the-papers-table-recomputed',
    generator: 'zero-max-params',
    params: { stage: [0, 1, 2, 3], gpus: [64, 16], memoryGB: [32, 80] },
    prompt:
      'GPUs with {memoryGB} GB each, {gpus} of them, {stage}, full mixed-precision Adam. Ignoring activations and buffers, how many parameters can the largest trainable model have?',
    answer:
      "Bytes per parameter per GPU at this stage: {bytesPerParam}. Largest model = {memoryGB} GB / {bytesPerParam} = {answer} parameters (the arithmetic of the ZeRO paper's Table 2).",
  },
  {
    id: 'mixed-precision-bytes',
    kind: 'multiple',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'where-the-memory-goes',
    prompt: 'Mixed-precision Adam needs 16 bytes per trained parameter. Which of these are part of the 16? (Select all that apply.)',
    answer:
      "2 bytes of bf16/fp16 weights + 2 bytes of 16-bit gradients + 12 bytes of fp32 optimizer state: a master copy of the weights (4), Adam's first moment (4) and second moment (4). Activations are extra and depend on batch and sequence length.",
    choices: [
      {
        text: '16-bit weights (2 bytes)',
        correct: true,
        why: 'Used in the forward and backward passes.',
      },
      {
        text: '16-bit gradients (2 bytes)',
        correct: true,
        why: 'Produced by the backward pass.',
      },
      {
        text: 'fp32 master weights (4 bytes)',
        correct: true,
        why: 'The optimizer updates an fp32 copy to avoid losing small updates.',
      },
      {
        text: 'fp32 momentum and variance (4 + 4 bytes)',
        correct: true,
        why: "Adam's two moments.",
      },
      {
        text: 'Activations (2 bytes per parameter)',
        correct: false,
        why: 'Activations scale with batch and sequence length, not with the parameter count.',
      },
      {
        text: 'An fp32 gradient copy (4 bytes)',
        correct: false,
        why: "Not in the ZeRO paper's K = 12 accounting; some implementations keep one, which is extra.",
      },
    ],
  },
  {
    id: 'zero-offload',
    kind: 'single',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'cpu-offload',
    prompt: 'What does ZeRO-Offload move to the CPU, and what does it cost?',
    answer:
      "The optimizer states and the optimizer step (and, from ZeRO-2 on, the gradient shards streamed as they are reduced) go to CPU memory, leaving mostly the 16-bit weights and activations on the GPU. The cost is PCIe traffic and the CPU's slower Adam update, which can dominate step time for small batches.",
    choices: [
      {
        text: 'Optimizer states and the Adam update; cost: PCIe traffic and a slower step',
        correct: true,
        why: 'The GPU keeps the 16-bit weights; the CPU does the update.',
      },
      {
        text: 'The activations; cost: recomputation',
        correct: false,
        why: 'That is activation checkpointing (which can also offload, but that is a separate option).',
      },
      {
        text: 'The whole model; cost: nothing',
        correct: false,
        why: 'Weights needed for compute stay on the GPU (unless parameter offload under ZeRO-3).',
      },
      {
        text: 'The gradients only; cost: lower accuracy',
        correct: false,
        why: 'Offload is exact; it costs time, not accuracy.',
      },
    ],
  },
  {
    id: 'full-finetune-memory',
    kind: 'numeric',
    topic: 'zero-distributed',
    chapter: 'choosing-a-method',
    anchor: 'step-2-full-fine-tuning-16-bytes-per-parameter',
    generator: 'full-ft-memory',
    params: { model: ['7b', '13b', '70b', '1.3b'], unit: ['GB', 'GiB'] },
    prompt:
      'Full fine-tuning of {model} ({totalParams} parameters) with mixed-precision AdamW on one replica: how much model-state memory, in {unit}? (Ignore activations.)',
    answer:
      '16 bytes per parameter (2 weights + 2 gradients + 12 fp32 master copy and Adam moments) × {totalParams} = {answer}. Notes that give half this assume 8 bytes per parameter (all bf16, no fp32 copies).',
    widget: {
      name: 'zero-memory',
      params: { model: '7b', gpus: 1, method: 'full' },
      label: 'Full fine-tuning memory on one GPU',
    },
  },
  {
    id: 'zeropp-traffic',
    kind: 'single',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'beyond-the-three-stages',
    prompt: 'ZeRO++ reduces ZeRO-3’s cross-node communication from about 6 bytes per parameter per step to about 1.5. Which three changes do it?',
    answer:
      'qwZ all-gathers weights in int8 for the forward pass (2 → 1 byte), hpZ keeps a node-local secondary copy of the weights so the backward all-gather never leaves the node (2 → 0, for 2Ψ / GPUs-per-node more memory), and qgZ quantizes gradients to int4 with a hierarchical all-to-all (2 → 0.5). 1 + 0 + 0.5 = 1.5: four times less.',
    choices: [
      { text: 'int8 weight all-gather, a node-local weight copy for the backward pass, int4 gradients', correct: true, why: 'qwZ, hpZ and qgZ.' },
      {
        text: 'Bigger buckets, overlap with compute, and gradient accumulation',
        correct: false,
        why: 'Those hide communication; they do not shrink it.',
      },
      { text: 'Offloading the optimizer to the CPU', correct: false, why: 'That moves memory, not network traffic.' },
      { text: 'Pipeline parallelism across nodes', correct: false, why: 'A different parallelism, not part of ZeRO++.' },
    ],
  },
  {
    id: 'zero3-live-parameters',
    kind: 'single',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'three-stages-each-sharding-one-more-term',
    prompt: 'Your ZeRO-3 run uses noticeably more GPU memory than 16Ψ/N plus one gathered layer. Which DeepSpeed settings explain it?',
    answer:
      'Prefetching and reuse: stage3_prefetch_bucket_size (default 5e7 elements) gathers upcoming modules early, stage3_max_live_parameters (default 1e9, 2 GB in bf16) lets gathered parameters stay resident, stage3_max_reuse_distance (1e9) keeps those reused soon, and stage3_param_persistence_threshold (1e5) leaves small tensors unpartitioned. Lower the first two to trade speed for memory.',
    choices: [
      {
        text: 'stage3_prefetch_bucket_size, stage3_max_live_parameters and stage3_max_reuse_distance',
        correct: true,
        why: 'They keep more than one module gathered.',
      },
      {
        text: 'overlap_comm and contiguous_gradients',
        correct: false,
        why: 'Those affect buffers and overlap, not how many parameters stay gathered.',
      },
      { text: 'offload_optimizer', correct: false, why: 'Offload lowers GPU memory.' },
      { text: 'gradient_accumulation_steps', correct: false, why: 'It changes the effective batch, not the gathered parameters.' },
    ],
  },
  {
    id: 'zero-with-pipeline',
    kind: 'single',
    topic: 'zero-distributed',
    chapter: 'zero',
    anchor: 'beyond-the-three-stages',
    prompt:
      'In a 3D-parallel run (tensor, pipeline and data parallelism) with DeepSpeed, which ZeRO stage can the data-parallel dimension use, and why?',
    answer:
      'ZeRO-1 only: DeepSpeed’s pipeline engine asserts stage < 2. With ZeRO-2 or ZeRO-3 every micro-batch of the pipeline would have to reduce-scatter its gradients (and ZeRO-3 gather weights) instead of accumulating them locally, multiplying communication by the number of micro-batches.',
    choices: [
      {
        text: 'ZeRO-1: sharded gradients or weights would need communication every micro-batch',
        correct: true,
        why: 'DeepSpeed’s PipelineEngine asserts ZeRO stage < 2.',
      },
      { text: 'ZeRO-3, because pipelines need the least memory', correct: false, why: 'It is not supported with pipelines in DeepSpeed.' },
      { text: 'Any stage; they are independent', correct: false, why: 'Stages 2 and 3 conflict with micro-batch gradient accumulation.' },
      { text: 'None: ZeRO cannot be combined with pipelines', correct: false, why: 'ZeRO-1 is the usual combination (Megatron-DeepSpeed).' },
    ],
  },
] satisfies QuestionInput[];
