/**
 * Free-text answers written after every rubric revision and never used to change a rubric or the
 * checker: the held-out measure of how the checker grades answers it was not tuned on.
 */
import { free } from './case';

export const heldOutFreeTextCases = [
  // lora-why-it-works: 0 W0 frozen, 1 BA low rank, 2 α/r scaling, 3 intrinsic rank, 4 B = 0 at init
  free(
    'lora-why-it-works',
    'en',
    'partial',
    [0, 1, 3],
    'The base matrix never changes; we learn a correction that is the product of a tall and a wide matrix, which is enough because the change fine-tuning needs lives in a small subspace.',
    'Frozen, the product (low rank implied by tall × wide) and the subspace argument; no scaling or initialisation.',
  ),
  free('lora-why-it-works', 'zh', 'partial', [2, 4], '输出是 W0x 加上 α/r 乘以 BAx；B 一开始全是零。', '缩放与初始化。'),
  free('lora-why-it-works', 'en', 'wrong', [], 'LoRA prunes the weight matrix down to rank r and fine-tunes what is left.', 'LoRA does not prune W.'),
  // lora-alpha-and-rank: 0 r capacity, 1 α/r scaling, 2 effective learning rate, 3 sweep, 4 rsLoRA
  free(
    'lora-alpha-and-rank',
    'en',
    'partial',
    [1, 2],
    'The adapter output is multiplied by alpha/r, so if you double r without touching alpha you halve the effective learning rate of the update.',
    'Scaling and its effect on the learning rate.',
  ),
  free('lora-alpha-and-rank', 'zh', 'partial', [0, 3], 'r 决定可训练参数量和容量；具体取值在验证集上试几组就知道。', '容量与扫描。'),
  // peft-families: 0 adapters add layers/latency, 1 prefix vectors/context, 2 LoRA merges
  free(
    'peft-families',
    'en',
    'partial',
    [1, 2],
    'Prefix tuning prepends learned vectors to the keys and values of every layer. LoRA can be folded into the weights, so serving costs nothing extra.',
    'Prefix and LoRA.',
  ),
  free(
    'peft-families',
    'zh',
    'right',
    [0, 1, 2],
    'Adapter 加了额外层，推理有延迟；Prefix Tuning 加前缀向量，占上下文；LoRA 合并进权重后没有推理延迟。',
    '全部要点。',
  ),
  // dora-idea: 0 magnitude × direction, 1 LoRA on direction, 2 m per output, 3 m from norms of W0, 4 motivated by FT
  free(
    'dora-idea',
    'en',
    'partial',
    [0, 3],
    'DoRA factors W into a norm vector and a unit-norm direction matrix; the norm starts at the norms of the pretrained rows.',
    'Decomposition and initialisation.',
  ),
  free('dora-idea', 'zh', 'partial', [1, 2], '方向部分用低秩矩阵更新，另外每个输出通道学一个幅度向量。', '方向与幅度向量。'),
  // qlora-three-techniques: 0 NF4, 1 double quant, 2 paged optimizers, 3 LoRA through frozen 4-bit base, 4 ~4 GB for 7B
  free(
    'qlora-three-techniques',
    'en',
    'partial',
    [0, 3],
    'It stores the frozen base in NF4, a 4-bit type built from normal quantiles, and trains LoRA adapters in bf16 on top, dequantizing on the fly.',
    'NF4 and how training works.',
  ),
  free('qlora-three-techniques', 'zh', 'partial', [1, 4], '量化常数也再量化一次，7B 模型权重大约 4 GB。', '双重量化与内存。'),
  // small-gpu-7b: 0 QLoRA, 1 checkpointing, 2 micro-batch + accumulation, 3 activations, 4 paged/8-bit optimizer
  free(
    'small-gpu-7b',
    'en',
    'partial',
    [0, 1, 3],
    'Quantize the base to 4 bits with QLoRA and use gradient checkpointing; the sequence length then decides whether activations fit.',
    'Three points.',
  ),
  free('small-gpu-7b', 'zh', 'partial', [2, 4], '每次只放一条样本，用梯度累积凑大批量，再用 8bit 优化器。', '两点。'),
  // qlora-or-lora: 0 fits, 1 slower, 2 matched quality, 3 merging lossy
  free(
    'qlora-or-lora',
    'en',
    'partial',
    [1, 2],
    'QLoRA is slower per step because of dequantization, though its quality came close to 16-bit LoRA in the paper.',
    'Speed and quality.',
  ),
  free('qlora-or-lora', 'zh', 'wrong', [], 'LoRA 和 QLoRA 效果差很多，QLoRA 根本不能用。', '论文中效果相当。'),
  // dpo-versus-ppo: 0 same KL objective, 1 PPO RM + sampling, 2 DPO closed form, 3 simpler/fewer models, 4 offline
  free(
    'dpo-versus-ppo',
    'en',
    'partial',
    [0, 2],
    'Both maximise reward under a KL constraint to the reference; DPO solves it in closed form so the policy itself defines an implicit reward.',
    'Objective and implicit reward.',
  ),
  free('dpo-versus-ppo', 'zh', 'partial', [1, 4], 'PPO 要训练奖励模型并且在线采样；DPO 只能用离线的偏好数据。', '两点。'),
  // preference-methods-compared: 0 DPO pairs+ref, 1 IPO squared, 2 KTO unpaired, 3 SimPO no ref
  free(
    'preference-methods-compared',
    'en',
    'partial',
    [1, 3],
    'IPO swaps the logistic loss for a squared one so margins stop growing; SimPO needs no reference model and normalises by length.',
    'Two methods.',
  ),
  free('preference-methods-compared', 'zh', 'partial', [0, 2], 'DPO 需要成对数据和参考模型；KTO 只要每条回答的好坏标签。', '两点。'),
  // kto-imbalanced-data: 0 KTO, 1 weights, 2 ratio 1 to 4/3, 3 DPO needs pairs
  free('kto-imbalanced-data', 'en', 'partial', [0, 1], 'KTO, and raise undesirable_weight because the negatives are rare.', 'Method and weights.'),
  free('kto-imbalanced-data', 'zh', 'partial', [0, 2], '选 KTO，加权后好坏样本的比例控制在 1 到 4/3。', '两点。'),
  // reward-model-architecture: 0 scalar head, 1 last token, 2 causal attention, 3 from SFT
  free(
    'reward-model-architecture',
    'en',
    'partial',
    [1, 2],
    'The score is read at the final token because, with causal masking, it is the only position that attends to the full text.',
    'Position and reason.',
  ),
  free('reward-model-architecture', 'zh', 'partial', [0, 3], '从 SFT 模型初始化，把语言模型头换成输出一个标量的线性层。', '两点。'),
  // grpo-vs-ppo: 0 no value model, 1 group mean baseline, 2 several samples, 3 same advantage per token
  free(
    'grpo-vs-ppo',
    'en',
    'right',
    [0, 1, 2, 3],
    'There is no critic: several completions are sampled per prompt and each one is scored against the mean reward of its group, and that one advantage applies to all of its tokens.',
    'Complete.',
  ),
  free('grpo-vs-ppo', 'zh', 'wrong', [], 'GRPO 比 PPO 多一个价值模型，所以更稳定。', '说反了。'),
  // zero2-versus-zero3: 0 Z2 opt+grads, 1 Z3 params, 2 comm 1.5x, 3 LoRA base fits
  free(
    'zero2-versus-zero3',
    'en',
    'partial',
    [1, 2],
    'ZeRO-3 also partitions the parameters and has to all-gather them again in the backward pass, so it communicates 1.5x as much.',
    'Two points.',
  ),
  free('zero2-versus-zero3', 'zh', 'partial', [3], '做 LoRA 时可训练的参数很少，基座放得下就用 ZeRO-2。', '一点。'),
  // sft-loss-masking: 0 −100, 1 prompt given, 2 prompt dominates, 3 evidence mixed
  free(
    'sft-loss-masking',
    'en',
    'partial',
    [0, 3],
    'We set the prompt labels to -100. Whether it matters depends on the data: with very short answers training on the prompt too can help.',
    'Masking and the mixed evidence.',
  ),
  free('sft-loss-masking', 'zh', 'partial', [1], '推理时 prompt 是给定的，模型只需要学会生成回答。', '一点。'),
  // catastrophic-forgetting: 0 symptoms, 1 monitor, 2 LoRA forgets less, 3 replay, 4 lower lr, 5 KL/regularisation
  free(
    'catastrophic-forgetting',
    'en',
    'partial',
    [2, 5],
    'PEFT methods like LoRA forget less, and you can add an L2 penalty that keeps the weights near the original ones.',
    'Two mitigations.',
  ),
  free('catastrophic-forgetting', 'zh', 'partial', [0, 1], '通用能力会下降，需要用基准测试持续评估。', '两点。'),
  // do-you-need-fine-tuning: 0 RAG, 1 prompting, 2 behaviour/format, 3 distillation/cost, 4 eval first
  free(
    'do-you-need-fine-tuning',
    'en',
    'partial',
    [2, 4],
    'Ask how success will be measured. Fine-tuning pays off for a consistent output format or tone.',
    'Evaluation and behaviour.',
  ),
  free('do-you-need-fine-tuning', 'zh', 'partial', [0, 1], '缺少私有知识就用检索增强；先试提示词工程。', '两点。'),
  // sft-template-mismatch: 0 same template, 1 compare rendered, 2 special tokens, 3 generation prompt
  free(
    'sft-template-mismatch',
    'en',
    'partial',
    [2, 3],
    'Check that the end-of-turn token is a stop token at serving time and that the assistant header is appended to the prompt.',
    'Two points.',
  ),
  free('sft-template-mismatch', 'zh', 'partial', [1], '把训练和推理时的输入都渲染出来逐字对比。', '一点。'),
  // reft-vs-lora: 0 hidden representations, 1 subspace projection, 2 cannot merge, 3 fewer params
  free(
    'reft-vs-lora',
    'en',
    'partial',
    [0, 3],
    'It intervenes on hidden states rather than weights and needs far fewer parameters than LoRA.',
    'Two points.',
  ),
  free('reft-vs-lora', 'zh', 'partial', [1, 2], '在正交投影的低秩子空间里修改表示，推理时才生效，不能合并。', '两点。'),
  // lora-multi-adapter-serving: 0 shared base, 1 batching kernels, 2 cache, 3 loading latency
  free(
    'lora-multi-adapter-serving',
    'en',
    'partial',
    [0, 1],
    'Keep a single base model and never merge; use a kernel like SGMV so one batch can mix requests for different adapters.',
    'Two points.',
  ),
  free('lora-multi-adapter-serving', 'zh', 'partial', [2], '常用的适配器缓存在显存里，不常用的放在内存，按 LRU 换出。', '一点。'),
  // ppo-kl-shaped-reward: 0 per-token KL, 1 RM score at last token, 2 GAE λ, 3 value baseline
  free(
    'ppo-kl-shaped-reward',
    'en',
    'partial',
    [2, 3],
    'GAE sums TD errors discounted by gamma times lambda, using the value model as the baseline.',
    'Two points.',
  ),
  free('ppo-kl-shaped-reward', 'zh', 'partial', [0], '每个 token 的奖励里都减去 β 乘以和参考模型的对数比。', '一点。'),
  // sft-data-amount: 0 depends, 1 quality, 2 learning curve
  free(
    'sft-data-amount',
    'en',
    'partial',
    [1, 2],
    'A thousand clean examples beat a hundred thousand noisy ones; train on growing subsets and watch the learning curve.',
    'Two points.',
  ),
  // lora-merging-ties-dare: 0 sign conflicts, 1 TIES, 2 DARE
  free(
    'lora-merging-ties-dare',
    'en',
    'partial',
    [1],
    'TIES keeps the largest entries, elects a sign for each parameter and averages only values that agree with it.',
    'TIES only.',
  ),
  free('lora-merging-ties-dare', 'zh', 'partial', [2], 'DARE 随机丢掉大部分增量，再把剩下的放大。', 'DARE。'),
  // qlora-input-grads: 0 freezes, 1 fp32 cast, 2 reentrant needs input grad, 3 no gradient otherwise
  free('qlora-input-grads', 'en', 'partial', [1], 'It upcasts the layer norms and the output head to fp32.', 'One point.'),
  // peft-adalora: 0 SVD, 1 importance pruning, 2 orthogonality, 3 total steps
  free(
    'peft-adalora',
    'en',
    'partial',
    [2, 3],
    'It adds an orthogonality penalty and needs total_step so the rank budget schedule knows when to stop pruning.',
    'Two points.',
  ),
];
