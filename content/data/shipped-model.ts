/**
 * The shipped tiny model's weights, read from the repository when the site is built, for the
 * figures chapters compute from them (kernels/lm/weight-quantization.ts). Build time only: it
 * reads files with node:fs.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../kernels/lm/config';
import { TINY_MODEL_DIR } from '../../kernels/lm/tiny-model';
import { loadWeights, type ModelWeights } from '../../kernels/lm/weights';

export function shippedWeights(): ModelWeights {
  const config = parseConfig(JSON.parse(readFileSync(`${TINY_MODEL_DIR}/config.json`, 'utf8')));
  return loadWeights(readFileSync(`${TINY_MODEL_DIR}/model.safetensors`), config);
}
