import type { QuestionInput } from '../../components/flashcards/schema';

/** LoRA: the update, its shapes and initialisation, rank and alpha, where to put adapters, serving and merging. */
export const loraQuestions = [
  {
    id: 'lora-why-it-works',
    kind: 'free',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'why-a-weight-update-can-be-low-rank',
    seeds: ['001 Q1'],
    prompt:
      'Explain the math of LoRA and why it works: what is trained, what stays frozen, how the update enters the forward pass, and how it is initialised.',
    answer:
      'The pretrained weight W₀ (d × k, stored by PyTorch as out × in) is frozen. LoRA learns the update as a product ΔW = BA with B ∈ ℝ^(d×r) and A ∈ ℝ^(r×k), r ≪ min(d, k), so the layer computes h = W₀x + (α/r)·BAx. Only A and B are trained: r(d + k) parameters instead of dk. Why it works: the LoRA paper (Hu et al. 2021) found that the updates fine-tuning needs have a low "intrinsic rank" — small r matched full fine-tuning on their tasks, building on Aghajanyan et al. (2020), who showed fine-tuning can succeed in a low-dimensional subspace. The low-rank constraint also limits how far the model can move, which reduces forgetting. Initialisation: A is random (PEFT: Kaiming-uniform, bound 1/√in) and B is zero, so BA = 0 and the adapted model starts exactly at the pretrained one; since A is non-zero, B receives a gradient at step one.',
    rubric: [
      {
        point: 'W₀ frozen, only A and B trained',
        phrases: [
          'frozen',
          'freeze',
          'not updated',
          '冻结',
          '不更新',
          'fixed',
          'kept fixed',
          'unchanged',
          'does not change',
          '不动',
          '固定',
          '保持不变',
        ],
        contradicts: ['updates W directly', 'updat* the original weight*', 'W is updated', 'updates W', '更新原始权重', '会更新原', '更新 W'],
      },
      {
        point: 'ΔW = BA with rank r',
        phrases: [
          'BA',
          'B & A & rank',
          'low rank',
          'product of two',
          '低秩',
          '两个小矩阵',
          'thin matric*',
          'small matric*',
          'two matric*',
          '低秩矩阵',
          '低秩分支',
        ],
      },
      {
        point: 'scaled by α/r in the forward pass',
        phrases: ['alpha & r', 'α & r', 'scal*', '缩放'],
      },
      {
        point: 'updates have low intrinsic rank',
        phrases: ['intrinsic', 'low dimensional', 'subspace', '内在秩', '本征', '子空间', '秩很低'],
      },
      {
        point: 'B = 0 at init so the model starts unchanged',
        phrases: ['B & zero', 'B & 0', 'zero init*', 'B 初始化为 0', 'B 初始化为零', 'B & 零'],
        contradicts: ['both & zero', 'A and B & zero', 'A & also zero', '都初始化为零', '都初始化为 0', 'A 和 B 都', 'A、B 都'],
      },
    ],
  },
  {
    id: 'lora-shapes',
    kind: 'single',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'the-layer-with-its-shapes',
    seeds: ['004 §lora-shapes'],
    prompt: 'A frozen weight W₀ has shape d × k and the input x has k entries (h = W₀x). For a LoRA update ΔW = BA of rank r, what are the shapes?',
    answer:
      'B is d × r and A is r × k, so BAx maps k entries to d. PEFT builds lora_A = Linear(in_features, r) and lora_B = Linear(r, out_features). Some notes swap the two shapes; the product would not even be defined against x.',
    choices: [
      {
        text: 'B ∈ ℝ^(d×r), A ∈ ℝ^(r×k)',
        correct: true,
        why: 'A maps the k inputs down to r, B maps r back up to the d outputs.',
      },
      {
        text: 'A ∈ ℝ^(d×r), B ∈ ℝ^(r×k)',
        correct: false,
        why: 'Then BA would be (r×k)(d×r), which is not defined unless k = d; this is the shape swap found in some notes.',
      },
      {
        text: 'B ∈ ℝ^(d×k), A ∈ ℝ^(k×r)',
        correct: false,
        why: 'That B is as large as W₀ itself: nothing would be saved.',
      },
      {
        text: 'B ∈ ℝ^(r×r), A ∈ ℝ^(r×k)',
        correct: false,
        why: 'BA would be r × k, but the update must be d × k like W₀.',
      },
    ],
    widget: {
      name: 'lora-trainer',
      params: { rank: 4 },
      label: 'Train a rank-4 adapter',
    },
  },
  {
    id: 'lora-init',
    kind: 'single',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'initialisation-b-starts-at-zero',
    seeds: ['001 §why-b-zero'],
    prompt: 'PEFT initialises lora_A with Kaiming-uniform noise and lora_B with zeros. What would go wrong if both A and B started at zero?',
    answer:
      'With both zero, ∂L/∂B = (∂L/∂h)(Ax)ᵀ = 0 and ∂L/∂A = Bᵀ(∂L/∂h)xᵀ = 0: neither matrix ever receives a gradient, and the adapter stays at zero forever. One zero factor is enough to start from the pretrained model (BA = 0); the other must be random so that gradients flow.',
    choices: [
      {
        text: 'Both gradients are zero, so the adapter never trains',
        correct: true,
        why: 'Each gradient is multiplied by the other factor, which is zero.',
      },
      {
        text: 'Nothing: BA = 0 either way, so training proceeds the same',
        correct: false,
        why: 'The starting point is the same, but the gradients are not: they vanish.',
      },
      {
        text: 'The loss becomes NaN at the first step',
        correct: false,
        why: 'Nothing divides by zero; the gradients are exactly zero instead.',
      },
      {
        text: 'The model forgets its pretrained behaviour immediately',
        correct: false,
        why: 'BA = 0 leaves the model unchanged, with either initialisation.',
      },
    ],
  },
  {
    id: 'lora-rank-bound',
    kind: 'single',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'why-a-weight-update-can-be-low-rank',
    prompt: 'B is 4096 × 8 and A is 8 × 4096, both random. What is the largest possible rank of ΔW = BA?',
    answer:
      'rank(BA) ≤ min(rank B, rank A) ≤ r = 8. Random B and A reach rank 8 almost surely; the update can never exceed it, however long you train.',
    choices: [
      {
        text: '8',
        correct: true,
        why: 'The rank of a product is at most the smaller inner dimension.',
      },
      {
        text: '4096',
        correct: false,
        why: 'The matrix is 4096 × 4096, but it is a product through an 8-dimensional bottleneck.',
      },
      { text: '16', correct: false, why: 'Ranks of the factors do not add.' },
      {
        text: '64',
        correct: false,
        why: 'Ranks do not multiply either: rank(BA) ≤ min(rank B, rank A).',
      },
    ],
  },
  {
    id: 'lora-param-count',
    kind: 'numeric',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'how-many-parameters',
    generator: 'lora-params',
    params: {
      model: ['7b', '13b', '1.3b', '70b'],
      rank: [4, 8, 16, 32, 64],
      targets: ['qv', 'attention', 'all'],
    },
    prompt:
      'You add LoRA adapters of rank {rank} to {targets} of {model} (hidden size {hidden}, {layers} layers, MLP width {intermediate}, key/value width {kvDim}). How many trainable parameters does the adapter have?',
    answer:
      'Each adapted Linear(in, out) gets A (r × in) and B (out × r): r·(in + out) parameters. Per layer the adapted modules are {shapes}, giving {perLayer} parameters per layer; times {layers} layers: {answer}.',
    widget: {
      name: 'lora-params',
      params: { model: '7b', rank: 8, targets: 'q,v' },
      label: 'Count adapter parameters for any model, rank and target set',
    },
  },
  {
    id: 'lora-param-fraction',
    kind: 'numeric',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'how-many-parameters',
    generator: 'lora-fraction',
    params: { model: ['7b', '13b'], rank: [8, 16, 64], targets: ['qv', 'all'] },
    prompt:
      "You add a rank-{rank} LoRA on {targets} to {model} ({totalParams} parameters). What trainable% does PEFT's print_trainable_parameters() report?",
    answer:
      'The adapter has {loraParams} parameters (r·(in + out) per adapted module: {shapes}; times {layers} layers). PEFT divides by all the parameters of the wrapped model, the adapter’s included: {loraParams} / ({totalParams} + {loraParams}) = {answer}.',
  },
  {
    id: 'lora-layer-formula',
    kind: 'formula',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'how-many-parameters',
    prompt: 'Write the number of trainable parameters LoRA adds to one nn.Linear(in_features = k, out_features = d) at rank r. Use d, k and r.',
    answer:
      'r·(d + k): A is r × k and B is d × r. Compare with d·k for training W₀ itself; for d = k = 4096 and r = 8 that is {loraLayer4096r8} against {denseLayer4096}.',
    variables: [
      {
        name: 'd',
        description: 'out_features',
        min: 16,
        max: 16384,
        integer: true,
      },
      {
        name: 'k',
        description: 'in_features',
        min: 16,
        max: 16384,
        integer: true,
      },
      { name: 'r', description: 'rank', min: 1, max: 256, integer: true, aliases: ['rank'] },
    ],
    reference: 'r*(d+k)',
  },
  {
    id: 'lora-layer-params',
    kind: 'numeric',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'how-many-parameters',
    generator: 'layer-params',
    params: {
      model: ['7b', '70b'],
      module: ['q', 'k', 'down', 'up'],
      rank: [8, 16, 32],
      method: ['lora', 'full'],
    },
    prompt:
      'In {model}, {module} is nn.Linear({in}, {out}). How many parameters does {method} train in this one layer (rank {rank} where it applies)?',
    answer: 'LoRA trains A (r × in) and B (out × r): r·(in + out). Full fine-tuning trains the whole matrix: in · out. Here: {answer}.',
  },
  {
    id: 'lora-alpha-and-rank',
    kind: 'free',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'the-scale-αr-or-αr',
    seeds: ['001 Q3', '003 Q1'],
    prompt: "What are LoRA's rank r and alpha α, how do they interact, and how would you choose them?",
    answer:
      'r is the rank of the update (capacity; parameters grow linearly with r). α sets the scale: the update is multiplied by α/r (rsLoRA: α/√r). Because the scale depends on r, changing r with α fixed changes the effective step size, so learning rate and α must be re-tuned together; the LoRA paper simply set α to the first r it tried and did not tune it, and many recipes use α = r or α = 2r. Typical practice: start around r = 8–16 on all linear layers and raise r only if a rank sweep still improves the eval loss (a sign the task needs a higher-rank update). Task-size tables ("r = 8 for simple tasks, 64 for domain adaptation") are heuristics, not results: measure with a sweep. rsLoRA\'s α/√r keeps the update\'s size stable as r grows, so large ranks stop being under-scaled.',
    rubric: [
      {
        point: 'r is the rank / capacity',
        phrases: ['rank & capacity', 'rank & parameters', 'expressive*', 'more param*', 'capacity', '表达', '容量', '参数越多', '参数量'],
        contradicts: ['number of layers', 'r is the layer*', '层数'],
      },
      {
        point: 'update scaled by α/r',
        phrases: ['alpha/r', 'alpha over r', 'alpha divided by r', 'α/r', 'scal* & alpha', 'multipl* & alpha', '缩放', 'alpha/r 缩放', 'α/r'],
        contradicts: ['alpha is the learning rate', 'alpha & is the learning rate', 'alpha 是学习率', '没什么关系', '没有关系'],
      },
      {
        point: 'changing r changes the effective learning rate',
        phrases: ['effective learning rate', 'effective lr', 'learning rate & r', 'step size', '有效学习率', '学习率 & r'],
      },
      {
        point: 'choose by a sweep on eval loss',
        phrases: ['sweep', 'eval* loss', 'validation', 'try several', '验证', '扫', '实验'],
      },
      { point: 'rsLoRA uses α/√r', phrases: ['rslora', 'sqrt(r)', 'sqrt r', '√r', '根号'] },
    ],
    widget: {
      name: 'rank-sweep',
      params: {},
      label: 'Sweep the rank and watch the loss',
    },
  },
  {
    id: 'lora-scale-value',
    kind: 'numeric',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'the-scale-αr-or-αr',
    generator: 'lora-scale',
    params: {
      alpha: [8, 16, 32, 64],
      rank: [4, 8, 16, 64, 256],
      rule: ['alpha/r', 'rslora'],
    },
    prompt: 'With lora_alpha = {alpha} and r = {rank} under {rule}, by what factor is BAx multiplied?',
    answer: 'Standard LoRA scales by α/r; rsLoRA by α/√r. Here: {expression} = {answer}.',
  },
  {
    id: 'lora-target-modules',
    kind: 'free',
    topic: 'lora',
    chapter: 'choosing-a-method',
    anchor: 'which-layers-get-adapters',
    seeds: ['003 Q2'],
    prompt: 'Which layers should get LoRA adapters? Some notes say q_proj and v_proj only, others all linear layers. What does the evidence say?',
    answer:
      'The LoRA paper, under a fixed parameter budget on GPT-3, found that adapting W_q and W_v together worked best among the attention-only options it tried — that is where the "q and v" rule comes from. The QLoRA paper later found that adapters on all linear layers of each block (attention and MLP) were needed to match full 16-bit fine-tuning, and that the number of adapted layers mattered more than the rank. So today\'s default is all linear layers (PEFT: target_modules="all-linear"); q/v only is a cheaper option when memory or adapter size is tight. Check on your task: the parameter count roughly triples from q,v to all-linear at the same rank.',
    rubric: [
      {
        point: 'LoRA paper: q and v under a budget',
        phrases: ['q & v', 'q_proj & v_proj', 'query & value', 'budget', 'Q、V', 'q 和 v', 'QV'],
      },
      {
        point: 'QLoRA: all linear layers needed to match full fine-tuning',
        phrases: ['all linear', 'all layers', 'mlp', 'all-linear', '所有线性层', '全部线性层', 'FFN'],
        contradicts: ['only the attention layers matter', 'mlp never', 'never needs adapting', '只加在注意力', 'MLP 不需要'],
      },
      {
        point: 'more parameters / trade-off',
        phrases: ['more parameters', 'trade off', 'cost', 'memory', '参数更多', '代价', '显存'],
      },
    ],
  },
  {
    id: 'lora-merge-latency',
    kind: 'single',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'merging-no-extra-latency',
    prompt: 'Why does a LoRA adapter add no inference latency once deployed for a single task?',
    answer:
      'After training, W = W₀ + (α/r)·BA can be computed once and stored in place of W₀ (PEFT: merge_and_unload()). The merged layer is an ordinary dense layer of the same shape, so inference costs exactly what the base model costs. Adapters (extra layers) and prefix tuning (extra tokens) cannot be folded away like this. Keeping adapters unmerged is still useful to serve many tasks on one base model.',
    choices: [
      {
        text: 'The update can be merged into the weight: W = W₀ + (α/r)·BA',
        correct: true,
        why: "A merged layer has the base layer's shape and cost.",
      },
      {
        text: 'Because r is small, the extra matmul is free',
        correct: false,
        why: 'Unmerged, it costs a little (two thin matmuls); merged, it costs nothing.',
      },
      {
        text: 'The adapter runs on a separate GPU stream',
        correct: false,
        why: 'No: the zero-latency property comes from merging.',
      },
      {
        text: 'LoRA skips the frozen layers at inference',
        correct: false,
        why: 'The frozen weights are the model; they are always used.',
      },
    ],
  },
  {
    id: 'lora-when-it-fails',
    kind: 'free',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'why-a-weight-update-can-be-low-rank',
    seeds: ['001 Q13'],
    prompt: "Starting from LoRA's low-rank assumption: when does LoRA fall short of full fine-tuning, how do you diagnose it, and what do you do?",
    answer:
      'LoRA assumes the needed update is low rank. It falls short when the task is far from pretraining and needs a high-rank update: a new language or script, large amounts of new knowledge, long continued pretraining (Biderman et al. 2024, "LoRA Learns Less and Forgets Less", saw the gap mostly on code and math continued pretraining). New tokens need embedding changes that a low-rank update of the attention/MLP weights cannot supply. Diagnose with a rank sweep: if eval loss keeps falling as r grows (8 → 64 → 256) the update is not low rank; compare against a full fine-tune on a subset; check the learned update\'s singular values. Remedies: raise r (with rsLoRA scaling so large ranks train properly), adapt all linear layers, train the embeddings and LM head fully (PEFT: modules_to_save), or switch to full fine-tuning for that job.',
    rubric: [
      {
        point: 'needed update is high rank (far from pretraining)',
        phrases: [
          'high rank',
          'full rank',
          'new language',
          'far from',
          'domain shift',
          '高秩',
          '新语言',
          '差异大',
          'new knowledge',
          'continued pretraining',
          'code and math',
          '新知识',
          '继续预训练',
        ],
        contradicts: ['lora always matches full fine tuning', 'lora is always enough', 'LoRA 总是和全量微调一样', 'LoRA 总能达到全量'],
      },
      {
        point: 'diagnose with a rank sweep / eval loss',
        phrases: [
          'sweep',
          'eval* loss & r',
          'increase r',
          'larger r',
          'singular value*',
          'compare & full fine tun*',
          '增大 r',
          '不同的 r',
          '扫',
          '奇异值',
        ],
      },
      {
        point: 'embeddings / new tokens need full updates',
        phrases: ['embedding', 'new token*', 'vocab*', 'lm head', '词表', '嵌入'],
      },
      {
        point: 'remedies: larger r, all layers, or full fine-tuning',
        phrases: ['full fine tun*', 'modules_to_save', 'all linear', 'rslora', '全量', '全参'],
      },
    ],
  },
  {
    id: 'lora-multi-adapter-serving',
    kind: 'free',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'merging-no-extra-latency',
    seeds: ['001 Q14'],
    prompt: 'Design a system that serves thousands of LoRA adapters on one base model concurrently.',
    answer:
      "Keep one copy of the base model on the GPUs and do not merge adapters (merging would need one model copy per adapter). Route each request to its adapter id; batch requests for different adapters together (continuous batching) and compute the base matmul once for the whole batch, then each request's low-rank term with a batched gather kernel (Punica's SGMV, S-LoRA's kernels, as used by vLLM and SGLang's multi-LoRA support). Adapters are small (r·(in+out) per layer), so keep hot ones in GPU memory, the rest in CPU memory or on disk, with an LRU cache and prefetching; S-LoRA pages adapter weights and KV cache from one unified memory pool. Watch cold-start latency of loading an adapter, adapters of different ranks in one batch, and isolation between tenants.",
    rubric: [
      {
        point: 'shared base model, adapters kept separate (not merged)',
        phrases: [
          'shared base',
          'one base',
          'single base',
          'not merge*',
          'unmerged',
          '共享基座',
          '不合并',
          'base & once',
          'load the base once',
          'only one copy',
          '基座只加载一份',
          '只加载一份',
        ],
        contradicts: ['merge each adapter', 'copy of the model', 'copies of the model', '合并成一个完整模型', '单独部署'],
      },
      {
        point: 'batch different adapters together with special kernels',
        phrases: ['sgmv', 'punica', 's lora', 'batch* & adapter*', 'batch* & kernel*', '批 & 适配器', '内核'],
      },
      {
        point: 'adapter cache in GPU/CPU memory with eviction',
        phrases: ['cache', 'lru', 'paging', 'page*', 'offload', '缓存', '换入', '分页'],
      },
      {
        point: 'latency of loading adapters',
        phrases: ['latency', 'cold start', 'prefetch*', '延迟', '冷启动', '预取'],
      },
    ],
  },
  {
    id: 'lora-merging-ties-dare',
    kind: 'free',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'merging-no-extra-latency',
    seeds: ['001 Q15'],
    prompt: 'When you merge several task adapters (ΔW = Σ λᵢ ΔWᵢ), why do they interfere, and how do TIES-Merging and DARE reduce it?',
    answer:
      "Task updates overlap on the same weights; where they disagree in sign, a plain weighted sum cancels both, and many small, noisy changes add interference. TIES-Merging (Yadav et al. 2023): trim each task vector to its largest-magnitude entries, elect a sign per parameter (the sign of the summed mass), and average only the entries that agree with the elected sign. DARE (Yu et al. 2024): randomly drop a large fraction p of each delta's entries and rescale the survivors by 1/(1 − p) so the expected update is unchanged; the sparser deltas collide less, and DARE is often combined with TIES (mergekit implements both). Note LoRA deltas are BA products: merging A and B separately is not the same as merging the products.",
    rubric: [
      {
        point: 'sign conflicts / cancellation between tasks',
        phrases: ['sign', 'cancel*', 'conflict*', 'interfer*', '符号', '抵消', '冲突'],
      },
      {
        point: 'TIES: trim, elect sign, merge agreeing entries',
        phrases: ['trim', 'elect*', 'majority', 'disjoint', '修剪', '选举', '多数'],
        contradicts: ['ties simply averages', 'TIES 直接求平均'],
      },
      {
        point: 'DARE: random drop and rescale by 1/(1−p)',
        phrases: ['drop & rescale', 'random* drop*', 'rescale', '1/(1', '随机丢弃', '重新缩放', '放大'],
        contradicts: ['dare keeps the largest', 'keeps the entries of largest magnitude', 'DARE 保留绝对值最大', '保留绝对值最大'],
      },
    ],
  },
  {
    id: 'peft-families',
    kind: 'free',
    topic: 'lora',
    chapter: 'choosing-a-method',
    anchor: 'three-ways-to-change-the-weights',
    seeds: ['001 §prefix-tuning', '001 Q8'],
    prompt: 'Compare adapters (Houlsby), prefix tuning and LoRA: what each changes, what it costs at inference, and where each fits.',
    answer:
      'Adapters insert small bottleneck MLPs (down-projection, nonlinearity, up-projection) inside each block: expressive, but they add sequential layers and therefore inference latency, and cannot be merged. Prefix tuning learns key/value vectors prepended at every layer (prompt tuning: only at the input): tiny per task, but the prefix uses context length and adds attention cost, and it is harder to optimise. LoRA adds a low-rank update to existing weight matrices: it can be merged into the weights for zero extra latency, or kept separate to serve many tasks on one base. He et al. (2022) showed all three can be written as modifications of hidden states, differing in where and how. Today LoRA and its variants are the usual default; adapters and prefixes remain useful where nonlinearity or per-request prefixes matter.',
    rubric: [
      {
        point: 'adapters add layers and latency',
        phrases: ['adapter & latency', 'extra layer*', 'bottleneck', 'sequential', '串行', '推理延迟', '额外层'],
      },
      {
        point: 'prefix tuning prepends trainable vectors / uses context',
        phrases: ['prefix & key', 'prepend*', 'virtual token*', 'context length', '前缀', '上下文'],
      },
      {
        point: 'LoRA merges into weights, no latency',
        phrases: ['merg*', 'no latency', 'zero latency', 'no extra latency', '合并', '零延迟', '无延迟'],
        contradicts: ['lora adds latency', 'lora increases latency', 'LoRA 推理时会增加延迟', 'LoRA 会增加延迟'],
      },
    ],
  },
  {
    id: 'reft-vs-lora',
    kind: 'free',
    topic: 'lora',
    chapter: 'choosing-a-method',
    anchor: 'three-ways-to-change-the-weights',
    seeds: ['001 Q16'],
    prompt: 'What is representation fine-tuning (ReFT, LoReFT) and how does it differ from LoRA?',
    answer:
      "ReFT (Wu et al. 2024) keeps all weights frozen and instead edits hidden representations at chosen layers and positions. LoReFT edits h inside an r-dimensional subspace: Φ(h) = h + Rᵀ(Wh + b − Rh), where R (r × d) has orthonormal rows and W, b are learned — it replaces the projection Rh by a learned target. LoRA changes weights (ΔW = BA) and can be merged into them; ReFT is an intervention applied at run time, so it cannot be merged and needs hooks in the serving stack, but it can use far fewer parameters and its edits live in an interpretable subspace. Some notes write the edit as h + R(Rᵀh − s); the paper's form is the one above.",
    rubric: [
      {
        point: 'edits hidden representations, weights frozen',
        phrases: ['representation*', 'hidden state*', 'activation*', '表示', '隐层'],
      },
      {
        point: 'low-rank subspace with projection R',
        phrases: ['subspace', 'orthonormal', 'projection', '子空间', '正交'],
      },
      {
        point: 'cannot be merged / applied at run time',
        phrases: [
          'cannot be merged',
          'not merge*',
          'run time',
          'runtime',
          'inference time',
          '无法合并',
          '不能合并',
          '推理时',
          'nothing to merge',
          'can not be merged',
          'no merg*',
        ],
      },
      {
        point: 'fewer parameters than LoRA',
        phrases: ['fewer parameters', 'less parameters', 'parameter efficien*', '参数更少', '更少参数'],
      },
    ],
  },
  {
    id: 'lora-full-vs-lora-memory',
    kind: 'free',
    topic: 'lora',
    chapter: 'choosing-a-method',
    anchor: 'what-memory-each-method-needs',
    seeds: ['001 Q4'],
    prompt:
      'How do you estimate the GPU memory of full fine-tuning, LoRA and QLoRA for a model with P parameters? Give the bytes per parameter and state your assumptions.',
    answer:
      'Full fine-tuning with mixed-precision AdamW: bf16 weights (2 B) + bf16 gradients (2 B) + fp32 master weights, momentum and variance (12 B) = 16 bytes per parameter, before activations: {full7bGB} GB for LLaMA-2-7B ({params7b} parameters). The "56 GB" figure in some notes assumes 8 bytes per parameter (everything in bf16, no fp32 copies). LoRA: the frozen base needs only its bf16 weights (2P) plus 16 bytes per adapter parameter: for 7B with r = 16 on all linear layers ({lora7bR16All} adapter parameters) that is {lora7bR16AllGB} GB. QLoRA: linear layers in NF4 at {nf4BitsDq} bits per weight with double quantization (≈ 0.52 bytes), embeddings and norms in bf16, plus the same adapter states: about {qloraWeights7bGB} GB of weights for 7B. On top of all three come activations, which grow with batch × sequence length (gradient checkpointing keeps roughly one layer input per layer), and framework buffers.',
    rubric: [
      {
        point: 'full: 16 bytes per parameter (2 + 2 + 12)',
        phrases: ['16 bytes', '16P', '16 p', '16 字节', '16 倍'],
        contradicts: ['full fine tuning 2 bytes', 'full fine tuning needs 2 bytes', '全量微调每个参数 2 字节', '全量微调只需 2 字节'],
      },
      {
        point: 'fp32 master weights and Adam moments',
        phrases: ['master', 'momentum & variance', 'adam & fp32', 'optimizer state*', '主权重', '动量', '优化器状态'],
      },
      {
        point: 'LoRA: 2P for frozen base + adapter states',
        phrases: ['2P', '2 bytes', 'frozen & bf16', '2 字节', '冻结'],
      },
      {
        point: 'QLoRA: about 0.5 byte per weight (4-bit + scales)',
        phrases: ['0.5', '4 bit', '4-bit', 'nf4', '4.127', '0.52', '4 比特', '半个字节', '0.5 字节'],
      },
      {
        point: 'activations extra, depend on batch and sequence',
        phrases: ['activation*', 'sequence length', 'batch', 'checkpoint*', '激活', '序列长度'],
      },
    ],
    widget: {
      name: 'zero-memory',
      params: { model: '7b', gpus: 1, method: 'lora' },
      label: 'Compute training memory per GPU for each method',
    },
  },
  {
    id: 'lora-memory-numeric',
    kind: 'numeric',
    topic: 'lora',
    chapter: 'choosing-a-method',
    anchor: 'step-3-lora-a-frozen-base-and-a-small-trained-adapter',
    generator: 'lora-memory',
    params: {
      model: ['7b', '13b'],
      rank: [8, 16, 64],
      targets: ['qv', 'all'],
      unit: ['GB', 'GiB'],
    },
    prompt:
      'LoRA with rank {rank} on {targets} of {model} ({totalParams} parameters): frozen bf16 base, adapter trained with mixed-precision AdamW (16 bytes per trained parameter). How much memory do the model states take, in {unit}? (Ignore activations.)',
    answer: 'Frozen base: 2 bytes × {totalParams} = {baseBytes} {unit}. Adapter: {loraParams} parameters × 16 bytes. Total: {answer}.',
  },
  {
    id: 'lora-merge-adapters',
    kind: 'multiple',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'lora-in-practice',
    prompt:
      'You merge two LoRA adapters trained on different tasks with PEFT’s add_weighted_adapter. Which statements are true? (Select all that apply.)',
    answer:
      'A linear merge adds the weighted updates, so entries where the two pull in opposite directions cancel. TIES trims each update to its largest entries, elects a sign per entry from their sum and averages only the values that agree. DARE drops entries at random and divides the survivors by the keep rate, which preserves each entry’s expected value. None of them is free: merging trades some of each task’s performance for one set of weights.',
    choices: [
      { text: 'A linear merge can cancel entries where the updates disagree in sign', correct: true, why: 'Opposite values sum towards zero.' },
      {
        text: 'TIES averages only the values that agree with the elected sign',
        correct: true,
        why: 'Its disjoint merge ignores the dissenting values.',
      },
      { text: 'DARE rescales the kept entries by 1 / density', correct: true, why: 'That keeps each entry’s expectation.' },
      { text: 'DARE keeps the entries of largest magnitude', correct: false, why: 'That is TIES’ trim; DARE drops at random.' },
      {
        text: 'A merged adapter always matches each task’s own adapter',
        correct: false,
        why: 'Merging interferes; the methods only reduce the interference.',
      },
    ],
  },
  {
    id: 'lora-gqa-kv',
    kind: 'single',
    topic: 'lora',
    chapter: 'lora',
    anchor: 'lora-in-practice',
    prompt:
      'On LLaMA-2-70B (hidden 8192, 64 query heads, 8 key/value heads), how do the LoRA parameters of k_proj compare with those of q_proj at the same rank?',
    answer:
      'k_proj maps 8192 to 8 × 128 = 1024 (grouped-query attention), so its adapter has r·(8192 + 1024) parameters against r·(8192 + 8192) for q_proj: about 56% as many.',
    choices: [
      { text: 'About 56%: r(8192 + 1024) against r(8192 + 8192)', correct: true, why: 'The key/value width is 8 heads of 128.' },
      { text: 'The same: every attention projection is 8192 × 8192', correct: false, why: 'Under GQA k_proj and v_proj are narrower.' },
      { text: 'One eighth', correct: false, why: 'Only the output side shrinks; the input side stays 8192.' },
      { text: 'Twice as many', correct: false, why: 'The key projection is smaller, not larger.' },
    ],
  },
] satisfies QuestionInput[];
