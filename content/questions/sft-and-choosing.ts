import type { QuestionInput } from '../../components/flashcards/schema';

/** SFT data, forgetting, and choosing whether and how to fine-tune. The SFT ones link to the SFT chapter, the others to choosing-a-method. */
export const sftAndChoosingQuestions = [
  {
    id: 'sft-loss-masking',
    kind: 'free',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'loss-on-the-response-only',
    seeds: ['001 Q5'],
    prompt: 'In SFT, why is the loss usually computed only on the response tokens? What happens if you do not mask the prompt?',
    answer:
      'The goal is to learn p(response | prompt); prompt tokens are given at inference time, so predicting them teaches nothing the model will use, and long prompts would dominate the loss and the gradient. Masking means setting their labels to −100 so cross-entropy ignores them (TRL: completion-only loss for prompt–completion data, assistant_only_loss for conversations). Without masking the model spends capacity modelling user text and system prompts, can drift toward imitating prompts, and the reported loss mixes two distributions so it is harder to read. The evidence is not one-sided: Shi et al. (2024) found loss on instructions can help when outputs are short and data is small. Continued pretraining on raw text has no prompt to mask.',
    rubric: [
      {
        point: 'labels −100 / loss only on response',
        phrases: ['-100', 'mask*', 'only on the response', 'response token*', '掩码', '只对回答', '只在 response'],
        contradicts: ['skip* & forward pass', 'skipped in the forward', 'faster because & mask*', '跳过 & 前向'],
      },
      {
        point: 'prompt tokens are given at inference: no point learning them',
        phrases: [
          'given at inference',
          'conditional',
          'p(response',
          'not generated',
          '推理时',
          '条件',
          'prompt is given',
          'is provided',
          'always provided',
          'always given',
          'only has to generate',
          '给定',
        ],
      },
      {
        point: 'prompts dominate the loss / waste capacity',
        phrases: ['dominat*', 'waste*', 'capacity', 'imitat*', 'parrot*', '复述', '浪费'],
      },
      {
        point: 'evidence is mixed (short outputs, small data)',
        phrases: ['short output*', 'short & output*', 'mixed', 'depends', 'not always', '不一定', '取决于'],
      },
    ],
  },
  {
    id: 'sft-dataset-design',
    kind: 'free',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'data-quality-against-quantity',
    seeds: ['001 Q9'],
    prompt: 'How would you build a high-quality SFT dataset from scratch? Walk through the steps.',
    answer:
      "(1) Define the task: input/output format, style, what \"good\" means; write annotation guidelines and a small set of expert-written gold examples, and hold out an evaluation set first. (2) Collect candidates: real user data (de-identified, with permission), expert writing, or model-generated data expanded from the seeds (Self-Instruct style) — checking the generator's licence terms. (3) Filter for quality: rules (length, format, language), deduplication (exact and near-duplicate with MinHash, semantic with embeddings), and scoring by a reward model or an LLM judge, with humans auditing samples. (4) Ensure diversity and coverage: cluster and sample across task types and difficulty so one kind of request does not dominate. (5) Format exactly as at inference: the model's chat template, special tokens, EOS, multi-turn boundaries. (6) Mix: add general instruction data (and some pretraining-style data) to protect existing skills. Quality beats quantity: LIMA aligned a 65B model with 1,000 curated examples and AlpaGasus filtered Alpaca's 52K to about 9K with better results. Iterate: train, evaluate on the held-out set, inspect failures, fix the data.",
    rubric: [
      {
        point: 'task definition, guidelines, gold seeds, held-out eval',
        phrases: ['guideline*', 'seed*', 'gold', 'eval* set', 'held out', '种子', '标注指南', '评估集'],
      },
      {
        point: 'quality filtering and deduplication',
        phrases: ['filter*', 'dedup*', 'minhash', 'judge', 'reward model', '过滤', '去重'],
      },
      {
        point: 'diversity / coverage',
        phrases: ['divers*', 'coverage', 'cluster*', '多样', '覆盖'],
      },
      {
        point: 'correct chat template and EOS',
        phrases: ['template', 'eos', 'special token*', '模板'],
      },
      {
        point: 'mix in general data',
        phrases: ['mix*', 'general data', 'replay', '混合', '通用数据'],
      },
      {
        point: 'quality over quantity (LIMA)',
        phrases: ['quality', 'lima', 'alpagasus', '质量'],
        contradicts: ['the more the better', 'more is better', 'as much as possible', '越多越好'],
      },
    ],
  },
  {
    id: 'catastrophic-forgetting',
    kind: 'free',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'catastrophic-forgetting',
    seeds: ['004 §continual-learning', '001 Q10', '002 Q2', '003 Q4', '000 §5'],
    prompt: 'How does catastrophic forgetting show up when fine-tuning an LLM, and what do you do about it in practice?',
    answer:
      'Symptoms: general skills drop after fine-tuning (math, code, reasoning, other languages), world knowledge the model had is lost, and outputs become rigid in the training format. Measure it: keep a broad evaluation suite beside the target task and compare before and after every run. Remedies, roughly by cost: parameter-efficient methods (LoRA learns less and forgets less than full fine-tuning — Biderman et al. 2024 — and a frozen base can always be restored by dropping the adapter); mixing general or pretraining-style data into the fine-tuning set (replay); a lower learning rate, fewer epochs and early stopping on the broad suite; for alignment, the KL anchor to the reference model (PPO/DPO/KTO all have one); and regularisers such as EWC or L2 toward the original weights, which cost more to set up. If forgetting persists, the data distribution is usually too narrow — fix the data first.',
    rubric: [
      {
        point: 'symptoms: general skills / knowledge drop',
        phrases: ['general* & drop', 'degrad*', 'lose*', 'loss of', '能力下降', '退化', '遗忘'],
      },
      {
        point: 'monitor with a broad eval suite',
        phrases: ['benchmark*', 'eval*', 'monitor*', '评估', '基准', '监控'],
      },
      {
        point: 'LoRA / PEFT forgets less',
        phrases: ['lora & less', 'peft & less', 'forget* less', 'freez*', 'frozen', '遗忘更少', 'LoRA & 更少', 'PEFT & 更少', '冻结', 'LoRA 等 PEFT'],
        contradicts: ['only happens with lora', 'lora forgets more', 'full fine tuning keeps', '只有 LoRA 会遗忘', 'LoRA 遗忘更多'],
      },
      {
        point: 'replay / mix general data',
        phrases: ['replay', 'mix*', 'general data', '混合', '通用数据', '混入'],
      },
      {
        point: 'lower learning rate, fewer epochs, early stopping',
        phrases: [
          'lower & learning rate',
          'smaller & learning rate',
          'reduce & learning rate',
          'lower lr',
          'small lr',
          'fewer epochs',
          'early stop*',
          '降低学习率',
          '减少 epoch',
          '早停',
          '学习率 & 低',
          '学习率 & 小',
        ],
        contradicts: ['more epochs', 'train longer', '多训', '多训几个'],
      },
      {
        point: 'regularisation / KL toward the original',
        phrases: ['kl', 'ewc', 'regulari*', 'l2', '正则', 'KL'],
      },
    ],
  },
  {
    id: 'sft-data-amount',
    kind: 'free',
    topic: 'sft-data',
    chapter: 'choosing-a-method',
    anchor: 'should-you-fine-tune-at-all',
    seeds: ['003 Q5'],
    prompt: 'How much data do you need to fine-tune a model, and how do you find out for your task?',
    answer:
      'It depends more on how far the target behaviour is from what the model already does than on a fixed number. Changing format or style can work with hundreds to a few thousand good examples (LIMA: 1,000 curated examples for a chat style); narrow classification or extraction with a few thousand; broad instruction following or a new domain with tens of thousands or more. Quality dominates: noisy data can make more data worse. Find out empirically: train on growing subsets (say 10%, 30%, 100%) and plot the eval metric — if it is still rising, more data helps; if it is flat, spend effort on quality or coverage instead. Tables of "simple task 1K–10K, domain adaptation 100K+" are rough heuristics, not results.',
    rubric: [
      {
        point: 'depends on distance from existing behaviour',
        phrases: ['depend*', 'how far', 'distance', 'how different', 'task difficulty', '取决于', '任务难度'],
        contradicts: ['at least a million', 'more is always better', '越多越好', '至少需要一百万'],
      },
      {
        point: 'quality matters more than quantity',
        phrases: ['quality', 'lima', 'noisy', '质量'],
      },
      {
        point: 'measure with a learning curve on subsets',
        phrases: [
          'subset*',
          'learning curve',
          'scaling curve',
          'ablation',
          '子集',
          '学习曲线',
          'growing subsets',
          'fractions of the data',
          'stops improving',
          '不同比例',
          '逐步增加',
        ],
      },
    ],
  },
  {
    id: 'sft-common-mistakes',
    kind: 'multiple',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'data-formats-and-chat-templates',
    prompt: 'Which of these are common SFT mistakes that quietly ruin a run? (Select all that apply.)',
    answer:
      'A chat template different from the one the model will be served with, no EOS token at the end of responses (the model never learns to stop), and computing the loss on prompt tokens by accident are all common and silent. A held-out evaluation set and deduplication are good practice, not mistakes.',
    choices: [
      {
        text: 'Training with a different chat template from the one used at inference',
        correct: true,
        why: 'The model learns role markers it will never see, or misses the ones it will.',
      },
      {
        text: 'Leaving out the EOS token at the end of responses',
        correct: true,
        why: 'The model then does not learn to stop and generates on and on.',
      },
      {
        text: 'Accidentally computing the loss on the prompt tokens',
        correct: true,
        why: 'The loss looks fine but mixes prompt modelling into the objective.',
      },
      {
        text: 'Keeping a held-out evaluation set',
        correct: false,
        why: 'That is how you detect the other mistakes.',
      },
      {
        text: 'Removing near-duplicate examples',
        correct: false,
        why: 'Deduplication improves data quality.',
      },
    ],
  },
  {
    id: 'sft-overfitting',
    kind: 'multiple',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'learning-rate-epochs-and-the-schedule',
    seeds: ['004 §overfitting'],
    prompt:
      'During a LoRA SFT run the training loss keeps falling while the validation loss has started to rise. Which of these help? (Select all that apply.)',
    answer:
      'The model is memorising the training set. Stop earlier (keep the checkpoint with the lowest validation loss), train fewer epochs or with a lower learning rate, make the data more diverse, or reduce capacity (a lower rank, some dropout). More epochs or a larger rank make memorising easier, and dropping the validation set only hides the problem.',
    choices: [
      {
        text: 'Keep the checkpoint with the lowest validation loss (early stopping)',
        correct: true,
        why: 'The later checkpoints fit the training set at the expense of generalisation.',
      },
      { text: 'Add more varied examples', correct: true, why: 'Diversity is the most reliable cure for memorising a narrow set.' },
      { text: 'Lower the rank or add LoRA dropout', correct: true, why: 'Less capacity and noise make memorising harder.' },
      { text: 'Train for more epochs so the validation loss recovers', correct: false, why: 'It keeps rising: the gap only widens.' },
      { text: 'Raise the rank to 256', correct: false, why: 'More capacity makes memorising easier.' },
      { text: 'Stop computing the validation loss', correct: false, why: 'That hides the symptom and leaves the problem.' },
    ],
  },
  {
    id: 'do-you-need-fine-tuning',
    kind: 'free',
    topic: 'choosing',
    chapter: 'choosing-a-method',
    anchor: 'should-you-fine-tune-at-all',
    seeds: ['000 §1', '004 §1'],
    prompt: 'A team wants to fine-tune a model. What do you ask first, and when are prompting or retrieval (RAG) the better choice?',
    answer:
      "Ask what is failing: knowledge or behaviour. If the model lacks facts — private, changing or recent information — use retrieval: fine-tuning is a poor way to store facts (it is costly to update and can increase hallucination), while RAG can be updated instantly and cites sources. If the model knows the answer but produces it in the wrong format, style or with the wrong behaviour, try prompting first (instructions, few-shot examples, structured output); fine-tune when prompting is not enough, when the behaviour must be consistent at scale, or to distil a large model's behaviour into a smaller, cheaper one. Alignment to preferences (safety, tone) is the other main reason to fine-tune. Many systems combine both: RAG for knowledge, fine-tuning for behaviour. Before any of it, build an evaluation set so you can tell whether the change helped.",
    rubric: [
      {
        point: 'knowledge gaps → retrieval (RAG)',
        phrases: ['rag', 'retriev*', 'knowledge & retriev*', '检索'],
        contradicts: ['rag is useless', 'rag does not help', 'RAG 没用'],
      },
      {
        point: 'try prompting first',
        phrases: ['prompt*', 'few shot', 'in context', '提示'],
        contradicts: ['always fine tune', 'the only way', '直接微调'],
      },
      {
        point: 'fine-tune for behaviour / format / style',
        phrases: ['behavio*', 'format', 'style', '行为', '格式', '风格'],
      },
      {
        point: 'distillation to a smaller model / cost',
        phrases: ['distil*', 'smaller model', 'cheaper', 'cost & smaller', '蒸馏', '小模型', '降低成本'],
      },
      {
        point: 'build an evaluation first',
        phrases: ['eval*', 'measure', 'benchmark', '评估', '评测'],
      },
    ],
  },
  {
    id: 'choose-method-by-memory',
    kind: 'single',
    topic: 'choosing',
    chapter: 'choosing-a-method',
    anchor: 'the-decision-table',
    prompt: 'One 24 GB GPU, a 13B model, a few thousand instruction examples. Which method fits?',
    answer:
      'LLaMA-2-13B in bf16 is {bf16Weights13bGB} GB of weights alone, so 16-bit LoRA does not fit on 24 GB; full fine-tuning needs 16 bytes per parameter, {full13bGB} GB of model states. QLoRA stores the linear layers at {nf4BitsDq} bits per weight, {qloraWeights13bGB} GB of weights for 13B, leaving room for adapter states and activations.',
    choices: [
      {
        text: 'QLoRA',
        correct: true,
        why: 'The NF4 base fits with room for activations.',
      },
      {
        text: 'Full fine-tuning with AdamW',
        correct: false,
        why: 'About 16 bytes per parameter: far beyond 24 GB.',
      },
      {
        text: '16-bit LoRA',
        correct: false,
        why: 'The bf16 weights alone exceed 24 GB.',
      },
      {
        text: 'ZeRO-3 on this one GPU',
        correct: false,
        why: 'ZeRO shards across GPUs; with one GPU there is nothing to shard over.',
      },
    ],
    widget: {
      name: 'method-picker',
      params: { model: '13b', gpus: 1, gpuMemory: 24 },
      label: 'Pick a method for 13B on one 24 GB GPU',
    },
  },
  {
    id: 'when-full-fine-tuning',
    kind: 'single',
    topic: 'choosing',
    chapter: 'choosing-a-method',
    anchor: 'three-ways-to-change-the-weights',
    prompt: 'When is full fine-tuning worth its cost over LoRA?',
    answer:
      'When the model must absorb a large amount of new capability far from pretraining — continued pretraining on a new domain or language, large code or math corpora — where LoRA has been measured to learn less (Biderman et al. 2024), and you have the memory (about 16 bytes per parameter plus activations, usually sharded with ZeRO) and enough data. For style, format and most instruction tuning, LoRA reaches similar quality at a fraction of the memory.',
    choices: [
      {
        text: 'Large-scale continued pretraining far from the original domain, with enough data and memory',
        correct: true,
        why: 'High-rank updates are where LoRA falls behind.',
      },
      {
        text: 'Teaching a consistent output format from 2,000 examples',
        correct: false,
        why: 'A low-rank update handles format and style well.',
      },
      {
        text: 'Whenever the GPU is large enough',
        correct: false,
        why: 'Memory permits it, but the quality gain depends on the task.',
      },
      {
        text: 'To reduce forgetting',
        correct: false,
        why: 'Full fine-tuning tends to forget more than LoRA, not less.',
      },
    ],
  },
  {
    id: 'seventy-b-on-eight-gpus',
    kind: 'single',
    topic: 'choosing',
    chapter: 'zero',
    anchor: 'why-lora-pairs-with-zero-2',
    prompt: 'LoRA on a 70B model with 8 GPUs of 80 GB each. The bf16 base alone is {bf16Weights70bGB} GB. Which setup is reasonable?',
    answer:
      'The bf16 base does not fit on one 80 GB GPU, so either shard it with ZeRO-3 (or FSDP), paying extra all-gathers of the frozen weights every step, or quantize it with QLoRA ({qloraWeights70bGB} GB of weights for LLaMA-2-70B), which fits per GPU so plain data parallelism or ZeRO-2 suffices. ZeRO-2 with a bf16 base does not help: it shards only gradients and optimizer states, which for LoRA are tiny.',
    choices: [
      {
        text: 'ZeRO-3 to shard the bf16 base, or QLoRA so each GPU holds the whole 4-bit base',
        correct: true,
        why: 'Both solve the real problem: the frozen weights do not fit on one GPU.',
      },
      {
        text: 'ZeRO-2 with the bf16 base',
        correct: false,
        why: 'ZeRO-2 keeps a full copy of the weights on every GPU: {bf16Weights70bGB} GB does not fit in 80 GB.',
      },
      {
        text: 'Plain DDP with the bf16 base',
        correct: false,
        why: 'Every GPU would need the full {bf16Weights70bGB} GB.',
      },
      {
        text: 'ZeRO-1 with the bf16 base',
        correct: false,
        why: 'ZeRO-1 shards only optimizer states.',
      },
    ],
    widget: {
      name: 'zero-memory',
      params: { model: '70b', gpus: 8, method: 'lora' },
      label: '70B LoRA on 8 GPUs',
    },
  },
  {
    id: 'fine-tuning-trends',
    kind: 'free',
    topic: 'choosing',
    chapter: 'choosing-a-method',
    anchor: 'should-you-fine-tune-at-all',
    seeds: ['001 Q18'],
    prompt: 'Where do you see LLM fine-tuning heading over the next year or two? Name a few directions and what evidence supports them.',
    answer:
      'An open question, so the answer is judged on reasoning, not on predicting correctly. Directions with visible evidence: reinforcement learning with verifiable rewards for reasoning (GRPO and similar on-policy methods) alongside offline preference methods like DPO; synthetic data and AI feedback (RLAIF, self-generated preference data) reducing reliance on human labels; many adapters per base model in serving (multi-LoRA in vLLM and SGLang) and adapter merging; more memory-efficient training (quantized bases, better optimizers, longer contexts); and representation-level methods such as ReFT. A good answer separates what is already in production from research bets and names how you would check (papers, benchmarks, what frameworks ship).',
    rubric: [
      {
        point: 'RL for reasoning with verifiable rewards',
        phrases: ['grpo', 'verifiable', 'reasoning', 'reinforcement', '推理', '强化学习'],
      },
      {
        point: 'synthetic data / AI feedback',
        phrases: ['synthetic', 'rlaif', 'ai feedback', 'self instruct', 'self play', 'self improv*', '合成数据', 'AI 反馈'],
      },
      {
        point: 'multi-adapter serving / merging',
        phrases: ['multi lora', 'many adapters', 'multi adapter', 'adapter serving', 'merg*', 'serving', '多 LoRA', '合并'],
      },
      {
        point: 'evidence-based reasoning',
        phrases: ['evidence', 'benchmark*', 'paper*', '证据', '论文'],
      },
    ],
  },
] satisfies QuestionInput[];
