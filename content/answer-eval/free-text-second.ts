/**
 * The second batch of free-text answers, written after the rubrics were revised against
 * free-text.ts. Measured once before any further change (the checker agreed with the grader on
 * 92.5% of verdicts and 95.6% of key points), then used to review the remaining rubrics, so it is
 * no longer held out; free-text-held-out.ts is.
 */
import { free } from './case';

export const secondFreeTextCases = [
  // lora-target-modules: 0 q,v under a budget, 1 all linear (QLoRA), 2 more parameters / trade-off
  free(
    'lora-target-modules',
    'en',
    'right',
    [0, 1, 2],
    'The original LoRA paper adapted only the query and value projections to save parameters, but QLoRA found that adapting all linear layers, MLP included, was needed to match full fine-tuning. More modules means more trainable parameters and memory.',
    'All three points.',
  ),
  free(
    'lora-target-modules',
    'en',
    'wrong',
    [],
    'Only the attention layers matter; the MLP never needs adapting.',
    'Contradicts the QLoRA evidence.',
  ),
  free(
    'lora-target-modules',
    'zh',
    'partial',
    [0, 1],
    'LoRA 原论文在预算有限时只加在 q 和 v 上；QLoRA 发现要加到所有线性层才能接近全量微调。',
    '两点。',
  ),
  free(
    'lora-target-modules',
    'zh',
    'partial',
    [1],
    '一般所有线性层都加；如果加了新词表，嵌入层和 lm head 也要训练。',
    '所有线性层；嵌入层一句属于另一个问题（何时 LoRA 不够）。',
  ),

  free(
    'lora-variants-choice',
    'en',
    'partial',
    [0, 1, 3],
    'Start with plain LoRA as the baseline. DoRA is slower and uses more memory for a task-dependent gain. rsLoRA only matters when you use a large rank.',
    'Three points.',
  ),
  free('lora-variants-choice', 'en', 'partial', [2], 'LoRA+ gives B a larger learning rate than A, about 16 times.', 'One point.'),
  free('lora-variants-choice', 'zh', 'partial', [0, 4], '先用 LoRA 做基线，其他变体要在自己的任务上做实验验证。', '两点。'),
  free('lora-variants-choice', 'zh', 'wrong', [], 'AdaLoRA 总是最好，因为它自动分配秩，没有额外成本。', '有成本（SVD 形式、正交正则、调度）。'),

  // peft-why-not-prefix: 0 LoRA merges, 1 prefix uses context, 2 adapters add latency, 3 niches
  free(
    'peft-why-not-prefix',
    'en',
    'right',
    [0, 1, 2, 3],
    'LoRA can be merged into the weights, so there is no inference latency; prefix tuning eats context positions, and adapters add sequential layers and latency. I would still use prompt tuning when I must store thousands of tasks with tiny per-task storage.',
    'Complete.',
  ),
  free('peft-why-not-prefix', 'en', 'partial', [0], 'Because LoRA merges into the base weights after training.', 'One point.'),
  free('peft-why-not-prefix', 'zh', 'partial', [0, 1], 'LoRA 可以合并，推理没有额外开销；前缀方法要占用上下文长度。', '两点。'),
  free('peft-why-not-prefix', 'zh', 'wrong', [], '前缀微调效果更好，只是实现麻烦。', '错误。'),

  // lora-merging-ties-dare: 0 sign conflicts, 1 TIES trim/elect/merge, 2 DARE drop and rescale
  free(
    'lora-merging-ties-dare',
    'en',
    'right',
    [0, 1, 2],
    'Task vectors interfere because entries have conflicting signs and cancel when summed. TIES trims small entries, elects a sign per entry by majority mass and averages only the agreeing values. DARE randomly drops a fraction p of the entries and rescales the rest by 1/(1−p).',
    'Complete.',
  ),
  free(
    'lora-merging-ties-dare',
    'en',
    'partial',
    [0],
    'Different tasks push the same weight in opposite directions, so they cancel out.',
    'Interference in plain words.',
  ),
  free(
    'lora-merging-ties-dare',
    'zh',
    'right',
    [0, 1, 2],
    '不同任务的更新符号冲突，相加时互相抵消。TIES 先修剪小值，再按多数选举符号，只合并符号一致的值；DARE 随机丢弃一部分参数，再把剩下的按 1/(1−p) 重新缩放。',
    '全部要点。',
  ),
  free('lora-merging-ties-dare', 'zh', 'wrong', [], 'DARE 保留绝对值最大的参数，TIES 直接求平均。', '两者都说错。'),

  // peft-adalora: 0 SVD form, 1 importance scores prune, 2 orthogonality regulariser, 3 needs total steps
  free(
    'peft-adalora',
    'en',
    'right',
    [0, 1, 2, 3],
    'AdaLoRA parameterises each update as P Λ Q, like an SVD, and prunes singular values with low importance scores until a global budget is met. It adds an orthogonality regulariser on P and Q, and you must give it the total number of steps for its budget schedule.',
    'Complete.',
  ),
  free(
    'peft-adalora',
    'en',
    'partial',
    [0, 1],
    'It keeps the update in SVD form and drops the least important singular values during training.',
    'Two points.',
  ),
  free('peft-adalora', 'zh', 'partial', [1], '按重要性分数在训练中给不同矩阵分配不同的秩。', '一点。'),
  free('peft-adalora', 'zh', 'wrong', [], 'AdaLoRA 就是自适应学习率的 LoRA。', '错误。'),

  // qlora-input-grads: 0 freezes the base, 1 casts norms etc. to fp32, 2 reentrant checkpointing needs an input requiring grad, 3 else no gradient
  free(
    'qlora-input-grads',
    'en',
    'right',
    [0, 1, 2, 3],
    'It freezes the base model and casts the non-quantized parameters such as layer norms to fp32. With reentrant gradient checkpointing the recomputed block only builds a graph if one of its inputs requires grad; the embeddings are frozen, so without enable_input_require_grads the adapters silently get no gradient.',
    'Complete.',
  ),
  free('qlora-input-grads', 'en', 'partial', [0, 1], 'Freezes everything and upcasts the norms to float32 for stability.', 'Two points.'),
  free('qlora-input-grads', 'zh', 'partial', [2, 3], '开启重入式梯度检查点时，输入必须 requires grad，否则适配器没有梯度。', '两点。'),
  free('qlora-input-grads', 'zh', 'wrong', [], '它把模型量化成 4 bit。', '量化是加载时做的，不是这个函数。'),

  // qlora-loss-not-converging: 0 overfit tiny subset, 1 template, 2 masking, 3 lr, 4 precision, 5 adapters attached
  free(
    'qlora-loss-not-converging',
    'en',
    'right',
    [0, 1, 2, 3, 4, 5],
    'First try to overfit a handful of examples. Then check the chat template and EOS, the label masking (-100 on the prompt), the learning rate, bf16 compute dtype and gradient norms for NaNs, and print_trainable_parameters to confirm the adapters are attached.',
    'Complete.',
  ),
  free('qlora-loss-not-converging', 'en', 'partial', [3], 'Probably the learning rate is too high; lower it.', 'One point.'),
  free('qlora-loss-not-converging', 'zh', 'partial', [0, 2, 3], '先在少量数据上看能不能过拟合；再检查标签掩码和学习率。', '三点。'),
  free('qlora-loss-not-converging', 'zh', 'wrong', [], '70B 太大了，QLoRA 本来就训练不了。', '错误。'),

  // sft-dataset-design: 0 guidelines/seeds/eval set, 1 filtering/dedup, 2 diversity, 3 template/EOS, 4 mix general data, 5 quality over quantity
  free(
    'sft-dataset-design',
    'en',
    'right',
    [0, 1, 2, 3, 4, 5],
    'Define the task and write labelling guidelines with gold seed examples and a held-out eval set. Generate or collect data, filter for quality and deduplicate, check diversity and coverage, format with the exact chat template and EOS, mix in some general data, and prefer a smaller clean set over a large noisy one, as LIMA showed.',
    'Complete.',
  ),
  free(
    'sft-dataset-design',
    'en',
    'partial',
    [1, 5],
    'Collect a lot of examples, remove duplicates and low-quality ones; quality matters more than size.',
    'Two points.',
  ),
  free('sft-dataset-design', 'zh', 'partial', [0, 2], '先写标注指南和种子数据，保证数据多样、覆盖各种情况。', '两点。'),
  free('sft-dataset-design', 'zh', 'wrong', [], '越多越好，直接爬网页数据就行。', '错误。'),

  // sft-data-amount: 0 depends on distance, 1 quality over quantity, 2 learning curve on subsets
  free(
    'sft-data-amount',
    'en',
    'right',
    [0, 1, 2],
    'It depends on how far the task is from what the model already does. Quality matters more than quantity. Find out by training on growing subsets and plotting a learning curve on a held-out eval.',
    'Complete.',
  ),
  free(
    'sft-data-amount',
    'en',
    'partial',
    [2],
    'Train on 10%, 25%, 50% and 100% of the data and see where the eval score stops improving.',
    'The method, plainly.',
  ),
  free('sft-data-amount', 'zh', 'partial', [0, 1], '取决于任务难度，质量比数量重要。', '两点。'),
  free('sft-data-amount', 'zh', 'wrong', [], '至少需要一百万条，否则没效果。', '错误的断言。'),

  // fine-tuning-trends: 0 RL with verifiable rewards, 1 synthetic data, 2 multi-adapter serving/merging, 3 evidence
  free(
    'fine-tuning-trends',
    'en',
    'partial',
    [0, 1],
    'RL with verifiable rewards for reasoning, like GRPO in DeepSeek-R1, and more synthetic data from stronger models.',
    'Two directions, no evidence named.',
  ),
  free('fine-tuning-trends', 'zh', 'partial', [0, 2], '推理模型用强化学习（GRPO）训练会更多；多 LoRA 服务和合并也会普及。', '两点。'),

  // lora-full-vs-lora-memory: 0 16 bytes, 1 fp32 master + Adam, 2 LoRA 2P, 3 QLoRA 0.5 byte, 4 activations extra
  free(
    'lora-full-vs-lora-memory',
    'en',
    'right',
    [0, 1, 2, 3, 4],
    'Full fine-tuning with mixed-precision Adam needs 16 bytes per parameter: bf16 weights and gradients, plus fp32 master weights and two Adam moments. LoRA keeps the frozen base in bf16, 2 bytes per parameter, plus small adapter states. QLoRA stores the base at about 0.5 byte per parameter. Activations come on top and depend on batch size and sequence length.',
    'Complete.',
  ),
  free(
    'lora-full-vs-lora-memory',
    'en',
    'partial',
    [0, 2],
    '16 bytes per parameter for full fine-tuning, and about 2 bytes for LoRA since the base is frozen in bf16.',
    'Two points.',
  ),
  free('lora-full-vs-lora-memory', 'zh', 'partial', [0, 3], '全量微调每个参数 16 字节；QLoRA 基座每个参数约 0.5 字节。', '两点。'),
  free('lora-full-vs-lora-memory', 'zh', 'wrong', [], '全量微调每个参数 2 字节，LoRA 更少。', '忽略了梯度和优化器状态。'),

  // lora-multi-adapter-serving (revised rubric? no): 0 shared base, 1 batching kernels, 2 cache, 3 loading latency
  free(
    'lora-multi-adapter-serving',
    'en',
    'partial',
    [1, 2],
    'Use something like S-LoRA: batch requests across adapters with custom kernels and keep adapters in a paged memory pool.',
    'Two points.',
  ),
  free('lora-multi-adapter-serving', 'zh', 'partial', [0, 3], '基座只加载一份；适配器按需加载，注意冷启动延迟。', '两点。'),

  // reward-model-architecture, grpo-vs-ppo, dpo-versus-ppo: new paraphrases
  free(
    'reward-model-architecture',
    'en',
    'partial',
    [0, 3],
    'You start from the SFT checkpoint and swap the language-model head for a regression head that outputs a single number.',
    'Two points in other words.',
  ),
  free(
    'grpo-vs-ppo',
    'en',
    'partial',
    [1, 2],
    'For each prompt it generates several answers and compares each reward with the group average.',
    'Two points in plain words.',
  ),
  free(
    'grpo-vs-ppo',
    'zh',
    'right',
    [0, 1, 2, 3],
    '去掉了 critic，对同一个问题采样多个回答，用组均值做基线，结果奖励分给每个 token，代价是要多次采样。',
    '全部要点。',
  ),
  free(
    'dpo-versus-ppo',
    'en',
    'partial',
    [3, 4],
    'DPO is easy and stable but it learns only from a fixed offline dataset; PPO can explore.',
    'Two points.',
  ),
  free(
    'catastrophic-forgetting',
    'en',
    'partial',
    [0, 1],
    'The model gets worse on things it used to do well, which you only see if you keep evaluating on a broad benchmark.',
    'Two points.',
  ),
  free(
    'zero2-versus-zero3',
    'en',
    'partial',
    [2, 3],
    'ZeRO-3 costs 1.5x the communication of ZeRO-2. For LoRA I would pick ZeRO-2 if the frozen base fits on each GPU.',
    'Two points.',
  ),
  free('sft-loss-masking', 'zh', 'partial', [0, 2], '把 prompt 的标签设为 -100；否则长 prompt 会主导损失。', '两点。'),
  free(
    'lora-why-it-works',
    'en',
    'partial',
    [0, 1, 2],
    'Pretrained weights stay frozen; the adapter adds (α/r)·B·A·x, where B·A is a rank-r product.',
    'Three points in notation.',
  ),
  free('qlora-three-techniques', 'zh', 'partial', [0, 1, 2], 'NF4 量化、双重量化和分页优化器三项技术一起把显存降下来。', '三项技术。'),
];
