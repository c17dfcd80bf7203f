import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

let jieba: Jieba | undefined;
/** The process's one jieba instance: loading the dictionary takes a moment, so it happens once, on first use. */
export const segmenter = () => (jieba ??= Jieba.withDict(dict));

/** A token worth indexing or searching: it holds at least one letter or digit (drops spaces and punctuation). */
const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * Fine-grained tokens for the `terms` field: jieba's search mode also emits the shorter words inside
 * compounds (锂电池 → 锂电, 电池, 锂电池), which Meilisearch's own segmenter keeps whole. Deduplicated:
 * Meilisearch ranks by presence and position, not by term frequency.
 */
export function searchTokens(text: string): string[] {
  return [...new Set(segmenter().cutForSearch(text, true).map((t) => t.trim()).filter((t) => WORDLIKE.test(t)))];
}

/**
 * The words of a user's query, space-joined for Meilisearch (锂电池热失控 → 锂电池 热 失控).
 * Everything Meilisearch would read as syntax is removed, so any input is just text: `"` (phrase
 * search) anywhere and `-` (negation) at a word's start; tokens of punctuation only are dropped.
 * `AND`/`OR` and filter syntax carry no meaning in Meilisearch's `q`, so they stay ordinary words.
 */
export function queryWords(q: string): string {
  return segmenter()
    .cut(q.normalize('NFKC'), true)
    .map((t) => t.replaceAll('"', '').replace(/^-+/, '').trim())
    .filter((t) => WORDLIKE.test(t))
    .join(' ');
}
