/**
 * Writes what pretraining needs (`npm run lm:corpus -- <work dir>`):
 *   public/models/tiny-llama/{config.json, tokenizer.json, tokenizer_config.json, generation_config.json}
 *   <work dir>/train.bin     the training token stream (uint16 little-endian)
 *   <work dir>/heldout.bin   the held-out windows, HELD_OUT_ROWS x (CONTEXT + 1) tokens
 * from the generator in kernels/lm/data/, so the corpus has one definition, in TypeScript.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRETRAIN_SEED } from '../../kernels/lm/data/corpus';
import { HELD_OUT_ROWS, heldOutWindows, pretrainingStream } from '../../kernels/lm/data/pretraining';
import { GENERATION_CONFIG, TINY_CONFIG, TINY_MODEL_DIR, TOKENIZER_CONFIG } from '../../kernels/lm/tiny-model';
import { Tokenizer, tokenizerJson } from '../../kernels/lm/tokenizer';

const workDir = process.argv[2] ?? 'node_modules/.cache/lm';
const trainTokens = Number(process.argv[3] ?? 12_000_000);
const modelDir = TINY_MODEL_DIR;
mkdirSync(workDir, { recursive: true });
mkdirSync(modelDir, { recursive: true });

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
writeFileSync(join(modelDir, 'config.json'), json(TINY_CONFIG));
writeFileSync(join(modelDir, 'tokenizer.json'), json(tokenizerJson()));
writeFileSync(join(modelDir, 'tokenizer_config.json'), json(TOKENIZER_CONFIG));
writeFileSync(join(modelDir, 'generation_config.json'), json(GENERATION_CONFIG));

const tokenizer = Tokenizer.standard();
const toU16 = (ids: Int32Array) => Buffer.from(Uint16Array.from(ids).buffer);
const train = pretrainingStream(tokenizer, PRETRAIN_SEED, trainTokens);
writeFileSync(join(workDir, 'train.bin'), toU16(train));
writeFileSync(join(workDir, 'heldout.bin'), toU16(heldOutWindows(tokenizer, HELD_OUT_ROWS)));
console.log(
  `wrote ${train.length.toLocaleString('en-US')} training tokens and ${HELD_OUT_ROWS} held-out windows to ${workDir}; model files to ${modelDir}`,
);
