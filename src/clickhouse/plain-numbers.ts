/**
 * Numbers in the text chsync sends, written without exponent.
 *
 * ClickHouse 18.x parses a float written in exponent notation imprecisely: of 17,176 random `real`
 * values that PostgreSQL prints with an exponent (`2.8023464e-05`), the 18.16 server stored 3,211
 * one step off as Float32; the same digits written as a plain decimal (`0.000028023464`) all came out
 * exact. PostgreSQL prints small and large floats with exponents, and so does JavaScript below 1e-6 and
 * from 1e21. The plain form is the same decimal number, so every server reads it as the same value.
 */

/** A JSON string (kept as is) or a number literal with an exponent (rewritten). */
const STRING_OR_EXPONENT = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE][-+]?\d+/g

/** `json` with every number literal outside strings in plain decimal notation. */
export function withPlainNumbers(json: string): string {
  return json.replace(STRING_OR_EXPONENT, (token) => (token.startsWith('"') ? token : plainDecimal(token)))
}

/**
 * Input: one number literal, `-?digits(.digits)?e(+|-)?digits`; anything else is returned unchanged.
 * Output: the same decimal digits with the point moved, e.g. `-1.5e-3` → `-0.0015`, `2e3` → `2000`.
 */
export function plainDecimal(literal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([-+]?\d+)$/.exec(literal)
  if (!match) return literal
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match
  const all = whole + fraction
  const digits = all.replace(/^0+(?=\d)/, '')
  // Where the point falls in `digits`: after the whole part, moved by the exponent, less the zeros cut.
  const point = whole.length + Number(exponent) - (all.length - digits.length)
  if (/^0*$/.test(digits)) return `${sign}0`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`.replace(/\.?0+$/, '')
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length)
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`.replace(/\.?0+$/, '')
}

/** Whether JavaScript prints this number with an exponent (`String(1e-7)` is `1e-7`). */
export function printsWithExponent(value: number): boolean {
  const magnitude = Math.abs(value)
  return magnitude !== 0 && Number.isFinite(magnitude) && (magnitude < 1e-6 || magnitude >= 1e21)
}
