/**
 * The interview question bank, one file per topic. Validated by components/flashcards/schema.ts
 * in the unit tests and again when /flashcards/ is built.
 */
import { alignmentQuestions } from './alignment';
import { doraQuestions } from './dora';
import { loraQuestions } from './lora';
import { peftFamilyQuestions } from './peft-family';
import { qloraQuestions } from './qlora';
import { rlhfQuestions } from './rlhf';
import { sftQuestions } from './sft';
import { sftAndChoosingQuestions } from './sft-and-choosing';
import { zeroQuestions } from './zero';

export const rawQuestionBank: unknown[] = [
  ...loraQuestions,
  ...doraQuestions,
  ...peftFamilyQuestions,
  ...qloraQuestions,
  ...alignmentQuestions,
  ...rlhfQuestions,
  ...zeroQuestions,
  ...sftAndChoosingQuestions,
  ...sftQuestions,
];
