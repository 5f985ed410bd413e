/**
 * Reads a model folder laid out as the Hugging Face Hub lays it out (config.json,
 * model.safetensors, tokenizer.json, tokenizer_config.json) through a `read` function, so the
 * page fetches it and Node tests read it from disk. Every failure says which file and what is wrong.
 */
import { parseConfig, type LlamaConfig } from './config';
import { Tokenizer } from './tokenizer';
import { loadWeights, type ModelWeights } from './weights';

export interface LoadedModel {
  config: LlamaConfig;
  weights: ModelWeights;
  tokenizer: Tokenizer;
  chatTemplate: string;
}

export type ReadFile = (name: string) => Promise<Uint8Array>;

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
  }
}

async function readJson(read: ReadFile, name: string): Promise<unknown> {
  const bytes = await read(name);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ModelFileError(name, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export async function loadModelFiles(read: ReadFile): Promise<LoadedModel> {
  const config = parseConfig(await readJson(read, 'config.json'));
  const tokenizer = Tokenizer.fromJson(await readJson(read, 'tokenizer.json'));
  if (tokenizer.vocabSize !== config.vocab_size) {
    throw new ModelFileError('tokenizer.json', `has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocab_size}`);
  }
  const tokenizerConfig = (await readJson(read, 'tokenizer_config.json')) as { chat_template?: unknown };
  if (typeof tokenizerConfig.chat_template !== 'string') throw new ModelFileError('tokenizer_config.json', 'has no chat_template');
  const weights = loadWeights(await read('model.safetensors'), config);
  return { config, weights, tokenizer, chatTemplate: tokenizerConfig.chat_template };
}

/** Fetches the files from a folder URL; a missing file is reported with its status. */
export function fetchReader(baseUrl: string, fetchImpl: typeof fetch = fetch): ReadFile {
  return async (name) => {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl.replace(/\/$/, '')}/${name}`);
    } catch (error) {
      throw new ModelFileError(name, `could not be fetched (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!response.ok) throw new ModelFileError(name, `could not be fetched (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
