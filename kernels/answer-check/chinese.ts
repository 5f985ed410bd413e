/**
 * Traditional Chinese to Simplified, so one rubric serves readers in Taiwan and Hong Kong as well
 * as the mainland: OpenCC's conversion (opencc-js, its Traditional-to-Simplified build only).
 */
import { Converter } from 'opencc-js/t2cn';

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
let convert: ((text: string) => string) | null = null;

/** The text with Traditional characters (and Taiwan/Hong Kong variants) written in Simplified; text without Chinese is returned as is. */
export function toSimplified(text: string): string {
  if (!CJK.test(text)) return text;
  // Taiwan's usage with its phrases (軟體 -> 软件): the closest to the mainland terms the rubrics use.
  convert ??= Converter({ from: 'twp', to: 'cn' });
  return convert(text);
}
