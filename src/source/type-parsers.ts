import pg from 'pg'

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
    return JSON.parse(text.replaceAll('{', '[').replaceAll('}', ']')) as unknown
  } catch {
    return fallback(text)
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
