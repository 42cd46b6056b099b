import pg from 'pg'
import { withPlainNumbers } from '../clickhouse/plain-numbers.js'

/**
 * Type parsers for the pool chsync reads source rows with. Everything is pg's default except arrays
 * of floats and small integers — embeddings, `real[]` of 384–1536 values per row — which pg parses
 * character by character (a 10,000-row batch of 384-d vectors took ~1.5 s, most of a round).
 * PostgreSQL prints them as `{0.1,-2.5e-05}`, which is JSON once braces are brackets.
 */

/** float4[], float8[], int2[], int4[]: OIDs from pg_type. */
const NUMBER_ARRAY_OIDS = [1021, 1022, 1005, 1007] as const

/**
 * Input: PostgreSQL's text form of a numeric array, any depth. Only digits, signs, dots, exponents,
 * commas and braces take the JSON path; NULL, NaN, Infinity (letters) and anything unexpected go to
 * pg's own parser, so the result is always what pg would give.
 */
const JSON_SAFE = /^[-+0-9.,{}eE]*$/

export function parseNumberArray(text: string, fallback: (text: string) => unknown): unknown {
  if (!JSON_SAFE.test(text)) return fallback(text)
  try {
    const json = text.replaceAll('{', '[').replaceAll('}', ']')
    const parsed = JSON.parse(json) as unknown
    // Only digits and signs pass JSON_SAFE, so an 'e' is an exponent: kept text is plain decimal.
    if (Array.isArray(parsed)) jsonTexts.set(parsed, /[eE]/.test(json) ? withPlainNumbers(json) : json)
    return parsed
  } catch {
    return fallback(text)
  }
}

/**
 * The JSON text each parsed array came from, while the array lives: the payload writes it back as
 * is instead of printing every number again (JSON.stringify of a 384-d vector costs ~40 µs; a 10,000
 * row batch ~0.4 s). Exact: PostgreSQL prints the shortest text that reads back as the same value,
 * and exponents are rewritten as plain decimals of the same digits (src/clickhouse/plain-numbers.ts).
 */
const jsonTexts = new WeakMap<object, string>()

/** The JSON text of an array as parsed from PostgreSQL, if it is one and was not changed since. */
export function jsonTextOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? jsonTexts.get(value) : undefined
}

/**
 * Forgets the texts of a source row's arrays before code outside chsync (a model's serializer, a
 * computed column) sees the row: it may change an array in place, and the text would then be stale.
 */
export function forgetJsonTexts(row: Record<string, unknown>): void {
  for (const key in row) {
    const value = row[key]
    if (typeof value === 'object' && value !== null) jsonTexts.delete(value)
  }
}

/** pg's `types` option: the defaults, with the fast numeric-array path. */
export const sourceTypeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const parse = pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown
    if (format === 'binary' || !(NUMBER_ARRAY_OIDS as readonly number[]).includes(oid)) return parse
    return (text: string) => parseNumberArray(text, parse)
  }) as pg.CustomTypesConfig['getTypeParser'],
}
