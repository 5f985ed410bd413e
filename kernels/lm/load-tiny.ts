/**
 * The tiny model as the page loads it: fetched once per page from its folder (TINY_MODEL_PATH),
 * parsed and checked; the raw files are kept for the worker and for downloads.
 */
import { fetchReader, loadModelFiles, type LoadedModel } from './model-files';
import { TINY_MODEL_PATH } from './tiny-model';

export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'] as const;

export interface PageModel {
  model: LoadedModel;
  files: Record<string, Uint8Array>;
}

let loading: Promise<PageModel> | null = null;

export function loadTinyModel(baseUrl = TINY_MODEL_PATH): Promise<PageModel> {
  loading ??= (async () => {
    const read = fetchReader(baseUrl);
    const files: Record<string, Uint8Array> = {};
    await Promise.all(MODEL_FILES.map(async (name) => (files[name] = await read(name))));
    const model = await loadModelFiles(async (name) => files[name]);
    return { model, files };
  })();
  // A failed load is not cached: the next run tries again.
  loading.catch(() => (loading = null));
  return loading;
}
