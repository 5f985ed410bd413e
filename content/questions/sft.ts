import type { QuestionInput } from '../../components/flashcards/schema';

/** Supervised fine-tuning: chat templates, the loss mask, packing, data, hyper-parameters, forgetting. They link to the SFT chapter. */
export const sftQuestions = [
  {
    id: 'sft-tiny-lora-params',
    kind: 'numeric',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'the-tiny-model',
    generator: 'tiny-lora-params',
    params: { rank: [2, 4, 8, 16, 32], targets: ['qv', 'attention', 'all'] },
    prompt:
      "The course's tiny LLaMA has hidden size {hidden}, an MLP of {intermediate} and {layers} layers ({totalParams} parameters). How many parameters does a rank-{rank} LoRA on {targets} train?",
    answer:
      'Each adapted Linear(in, out) gets r·(in + out) parameters. The adapted modules are {shapes}: {perLayer} per layer, times {layers} layers = {answer}.',
    widget: {
      name: 'lm-finetune',
      params: { task: 'json', method: 'lora', rank: 8 },
      label: 'Fine-tune the tiny model and read its trainable parameters',
    },
  },
  {
    id: 'sft-chatml-loss-share',
    kind: 'numeric',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'loss-on-the-response-only',
    generator: 'chatml-loss-share',
    params: { userChars: [20, 40, 80, 160], replyChars: [5, 10, 30, 60] },
    prompt:
      'The tiny model has one token per character, and its ChatML template starts with the BOS token <s> and uses the special tokens <|im_start|> and <|im_end|>. A training conversation has a user message of {userChars} characters and a reply of {replyChars}. With the loss on the completion only, what share of the conversation’s tokens carry loss?',
    answer:
      'The prompt is the BOS token <s> (the tiny model’s template starts with it), "<|im_start|>user\\n" (6 tokens), the message, "<|im_end|>\\n" (2) and the generation prompt "<|im_start|>assistant\\n" (11): {prompt} tokens. The completion is the reply plus "<|im_end|>\\n": {withLoss} tokens, which carry the loss. {withLoss} / {total} = {answer}.',
  },
  {
    id: 'sft-packed-rows',
    kind: 'numeric',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'packing-without-cross-contamination',
    generator: 'packed-rows',
    params: { count: [100, 250, 1000], tokens: [17, 25, 33, 49, 65] },
    prompt:
      'You have {count} training conversations of {tokens} tokens each and a context of {context} positions. Padded, each takes one row. Packed best-fit-decreasing (TRL’s packing_strategy="bfd"), how many rows do they take?',
    answer:
      'A sequence of {tokens} tokens fills {positions} input positions (the last token is only a target). {perRow} fit in a row of {context}, so the {count} conversations take {answer} rows instead of {padded}: {saving} fewer forward passes for the same loss.',
  },
  {
    id: 'sft-trl-default-mask',
    kind: 'single',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'loss-on-the-response-only',
    prompt:
      'You pass a conversational dataset (a "messages" column with user and assistant turns) to TRL’s SFTTrainer with the default SFTConfig. Which tokens carry the loss?',
    answer:
      'Every token. completion_only_loss (default None) applies to prompt-completion datasets, where it masks the prompt; for conversational data the switch is assistant_only_loss, which defaults to False and needs a chat template that marks assistant turns with {% generation %}. Pass assistant_only_loss=True, or convert the data to prompt-completion form, to train on the replies only.',
    choices: [
      {
        text: 'Every token of the conversation, system and user turns included',
        correct: true,
        why: 'assistant_only_loss defaults to False; completion_only_loss only concerns prompt-completion data.',
      },
      {
        text: 'Only the assistant turns',
        correct: false,
        why: 'That needs assistant_only_loss=True (and a template with generation markers).',
      },
      {
        text: 'Only the last assistant turn',
        correct: false,
        why: 'That is what prompt-completion data with completion_only_loss gives, not conversational data by default.',
      },
      { text: 'Only the user turns', correct: false, why: 'No trainer masks the replies and keeps the prompts.' },
    ],
  },
  {
    id: 'sft-naive-packing',
    kind: 'multiple',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'packing-without-cross-contamination',
    prompt:
      'You pack several short conversations into each 4096-token row with a plain causal mask and positions 0 … 4095. Which statements are true? (Select all that apply.)',
    answer:
      'With one causal mask per row, each conversation attends to every earlier conversation in the row (cross-contamination), and its positions start wherever it landed instead of at 0, so it trains on contexts it will never see at inference. Restarting position_ids at every sequence and attending only within it (variable-length attention, as FlashAttention’s varlen kernels do) makes packing exact: the same loss as padding in fewer rows. Packing does not by itself change which tokens carry loss.',
    choices: [
      {
        text: 'Each conversation can attend to the conversations packed before it',
        correct: true,
        why: 'A single causal mask lets every token see everything earlier in the row.',
      },
      {
        text: 'Positions restart at 0 for each conversation only if you reset position_ids',
        correct: true,
        why: 'Otherwise a conversation placed at offset 3000 is trained at positions 3000 and up.',
      },
      {
        text: 'With per-sequence attention and restarted positions, the loss equals that of padding',
        correct: true,
        why: 'Each sequence then computes exactly what it would alone; only the padding is gone.',
      },
      {
        text: 'Packing puts the loss on the prompt tokens',
        correct: false,
        why: 'The loss mask travels with each sequence; packing only changes where sequences sit.',
      },
      {
        text: 'Packing never helps when conversations are short',
        correct: false,
        why: 'Short conversations are where padding wastes the most.',
      },
    ],
  },
  {
    id: 'sft-new-special-tokens',
    kind: 'single',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'data-formats-and-chat-templates',
    prompt:
      'You fine-tune a base model with LoRA on ChatML conversations and add <|im_start|> and <|im_end|> to its tokenizer as new tokens. Training loss looks fine but the model never stops generating. What is the most likely fix?',
    answer:
      'New tokens get freshly initialised rows in embed_tokens and lm_head, and LoRA on the attention and MLP projections never trains those rows: the model cannot learn to emit <|im_end|> well. Train them: PEFT’s modules_to_save=["embed_tokens", "lm_head"] (full copies), or trainable_token_indices for just the new rows, or reuse tokens the base model already has. A higher LoRA rank does not reach the embeddings.',
    choices: [
      {
        text: 'Train the embeddings and the output head too (modules_to_save, or trainable_token_indices for the new rows)',
        correct: true,
        why: 'The new tokens’ embedding and output rows are untrained, and LoRA on the projections does not touch them.',
      },
      { text: 'Raise the LoRA rank', correct: false, why: 'The adapters sit on the projections; the new rows stay untrained whatever the rank.' },
      { text: 'Lower the learning rate', correct: false, why: 'It slows learning; it does not make the embedding rows trainable.' },
      {
        text: 'Turn off loss masking',
        correct: false,
        why: 'The end-of-turn token already carries loss with masking on; the problem is that its rows cannot learn.',
      },
    ],
  },
  {
    id: 'sft-template-mismatch',
    kind: 'free',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'data-formats-and-chat-templates',
    prompt:
      'Your fine-tuned chat model answers well in your training script but rambles or ignores the system prompt when served. What would you check first, and why?',
    answer:
      'That the serving stack renders exactly the chat template the model was trained with. Render one conversation both ways (tokenizer.apply_chat_template with the training tokenizer_config.json, and whatever the server builds) and compare the strings and token ids: role headers, newlines and whitespace, the BOS token (added twice is common), the end-of-turn token and whether the generation prompt (add_generation_prompt=True) is appended. A model only learned the format it saw; a different header or a missing end-of-turn token shifts it out of distribution, and a stop token the server does not know makes it run on. Fix by shipping the template in tokenizer_config.json and using the same one everywhere; check the EOS/stop token ids in generation_config.json.',
    rubric: [
      {
        point: 'same chat template at training and inference',
        phrases: [
          'same template',
          'chat template',
          'apply_chat_template',
          'template mismatch',
          '模板一致',
          '聊天模板',
          'template* differ*',
          'different template',
          'template & mismatch',
          '模板不一致',
          '模板不同',
          '不一样的模板',
        ],
      },
      {
        point: 'compare the rendered strings / token ids',
        phrases: ['render*', 'token id*', 'compare', 'diff', '对比', '渲染'],
      },
      {
        point: 'special tokens: BOS twice, EOS / end-of-turn, stop tokens',
        phrases: ['bos', 'eos', 'end-of-turn', 'im_end', 'eot', 'stop token*', '结束符', '特殊 token', '特殊token'],
      },
      {
        point: 'generation prompt appended',
        phrases: ['generation prompt', 'add_generation_prompt', 'assistant header', '生成提示'],
      },
    ],
  },
  {
    id: 'sft-lora-forgets-less',
    kind: 'single',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'catastrophic-forgetting',
    prompt: 'What did Biderman et al. (2024, "LoRA Learns Less and Forgets Less") find when comparing LoRA with full fine-tuning on code and math?',
    answer:
      'Full fine-tuning reached higher accuracy on the target domain; LoRA learned less of it but kept more of the base model’s abilities outside the domain. They also found full fine-tuning’s weight updates have a rank 10 to 100 times higher than typical LoRA configurations, one explanation of the gap. LoRA’s forgetting advantage is a form of regularisation, and it came with less learning, not for free.',
    choices: [
      {
        text: 'LoRA learned less of the target domain and forgot less outside it',
        correct: true,
        why: 'That is the paper’s title and its main result.',
      },
      {
        text: 'LoRA matched full fine-tuning on the target and forgot less',
        correct: false,
        why: 'On code and math LoRA clearly underperformed full fine-tuning.',
      },
      { text: 'LoRA forgot more because its updates are low-rank', correct: false, why: 'It forgot less; the low rank acts as a regulariser.' },
      {
        text: 'They found no difference once learning rates were tuned',
        correct: false,
        why: 'They swept learning rates for both and the gap remained.',
      },
    ],
  },
  {
    id: 'sft-forgetting-remedies',
    kind: 'multiple',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'catastrophic-forgetting',
    prompt:
      'After SFT on a narrow task, your model’s loss on general text has risen sharply. Which changes reduce that forgetting? (Select all that apply.)',
    answer:
      'Mixing general or pretraining data back into each batch (replay), a lower learning rate, fewer steps or epochs, and a parameter-efficient method all keep the weights closer to the base model. More epochs or a higher learning rate move them further.',
    choices: [
      { text: 'Replay: mix pretraining-style text into each batch', correct: true, why: 'The loss keeps the general distribution in the objective.' },
      { text: 'Lower the learning rate or train fewer steps', correct: true, why: 'Smaller total change to the weights, less drift from the base.' },
      {
        text: 'Use LoRA instead of full fine-tuning',
        correct: true,
        why: 'A low-rank update changes less, and the base can be restored by dropping the adapter.',
      },
      { text: 'Train for more epochs', correct: false, why: 'More passes over the narrow set move the model further from the base.' },
      { text: 'Raise the learning rate to finish sooner', correct: false, why: 'Larger steps mean larger drift.' },
    ],
  },
  {
    id: 'sft-lima',
    kind: 'single',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'data-quality-against-quantity',
    prompt: 'LIMA (Zhou et al. 2023) fine-tuned LLaMA-65B on how many carefully curated examples, and what did it conclude?',
    answer:
      'About 1,000 examples, with no preference tuning, and the model was preferred to or on par with much larger instruction-tuned systems in a large share of human comparisons. The authors’ "superficial alignment hypothesis": a model learns almost all its knowledge in pretraining, and alignment mostly teaches the format and style in which to use it, so a small, diverse, high-quality set goes a long way.',
    choices: [
      { text: 'About 1,000; alignment mostly teaches format and style', correct: true, why: 'The superficial alignment hypothesis.' },
      { text: 'About 52,000; more data always beats better data', correct: false, why: '52K is Alpaca’s size, and LIMA argued the opposite.' },
      {
        text: 'About 100; fine-tuning can teach new knowledge cheaply',
        correct: false,
        why: 'LIMA used about 1,000 and argued knowledge comes from pretraining.',
      },
      { text: 'About 1 million; quality does not matter at scale', correct: false, why: 'LIMA’s point was that a small curated set suffices.' },
    ],
  },
  {
    id: 'sft-learning-rate',
    kind: 'single',
    topic: 'sft-data',
    chapter: 'sft',
    anchor: 'learning-rate-epochs-and-the-schedule',
    prompt: 'Which learning rates are typical starting points for SFT of a 7B model with full fine-tuning and with LoRA?',
    answer:
      'Full fine-tuning around 1e-5 to 2e-5 (TRL’s SFTConfig defaults to 2e-5); LoRA about ten times higher, 1e-4 to 2e-4 (QLoRA’s recipe uses 2e-4 for 7B and 13B, 1e-4 for 33B and 65B). The adapter starts at zero and its update is scaled by alpha/r, so it needs larger steps than the full weights; sweep around these values, since the best rate depends on data and rank.',
    choices: [
      { text: 'Full: about 2e-5; LoRA: about 2e-4', correct: true, why: 'TRL’s default for full fine-tuning and the QLoRA recipe’s rate for 7B.' },
      { text: 'Full: about 2e-4; LoRA: about 2e-5', correct: false, why: 'Reversed: LoRA usually needs the larger rate.' },
      { text: 'Both about 1e-3', correct: false, why: 'That rate typically destabilises full fine-tuning of a 7B model.' },
      { text: 'Both about 1e-6', correct: false, why: 'Too small to learn much in a few epochs for either.' },
    ],
  },
] satisfies QuestionInput[];
