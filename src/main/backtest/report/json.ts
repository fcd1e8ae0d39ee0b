/** The JSON export: the canonical result, byte-identical for identical runs apart from generatedAt. */
import { canonicalJson, parseResult, type BacktestResult } from '../result';

export function resultToJson(result: BacktestResult): string {
  return canonicalJson(result);
}

/** Reads an exported result back; a file from another schema version or a damaged one is refused by name. */
export function resultFromJson(text: string): BacktestResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  return parseResult(value);
}
