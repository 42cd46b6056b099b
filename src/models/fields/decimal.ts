import { ConfigError } from '../../errors.js'
import { Field, type ClickHouseValue } from './common.js'

/** Doubles print and parse exactly up to 15 significant digits; wider decimals go out as strings. */
const EXACT_DOUBLE_DIGITS = 15

/**
 * `Decimal(P, S)`. Values (pg numeric arrives as a string) are checked for integer digits (≤ P − S)
 * and fraction digits (≤ S: more would be rounded silently by ClickHouse, so they are rejected unless
 * zero). Up to 15 significant digits go out as JSON numbers — the only form ClickHouse 18.x reads —
 * wider values as exact strings (read by ClickHouse ≥ 20).
 */
export class DecimalField extends Field<string | number | bigint> {
  readonly kind = 'decimal'

  constructor(
    readonly precision: number,
    readonly scale: number,
  ) {
    super()
    if (!Number.isInteger(precision) || precision < 1 || precision > 76)
      throw new ConfigError(`Decimal precision must be 1..76, got ${precision}`)
    if (!Number.isInteger(scale) || scale < 0 || scale > precision)
      throw new ConfigError(`Decimal scale must be 0..${precision}, got ${scale}`)
  }

  toSQLType(): string {
    return `Decimal(${this.precision}, ${this.scale})`
  }

  families(): string[] {
    return ['Decimal']
  }

  emptyValue(): ClickHouseValue {
    return 0
  }

  protected convert(value: unknown): ClickHouseValue {
    let text: string
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) this.reject(value, 'not a finite number')
      text = value.toFixed(this.scale)
    } else if (typeof value === 'bigint') text = value.toString()
    else if (typeof value === 'string') text = value.trim()
    else this.reject(value, 'not a decimal number')
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text)
    if (!match || (match[2] === '' && !match[3])) this.reject(value, 'not a decimal number')
    const sign = match[1] === '-' ? '-' : ''
    const integer = (match[2] ?? '').replace(/^0+(?=\d)/, '') || '0'
    const fraction = (match[3] ?? '').replace(/0+$/, '')
    if (fraction.length > this.scale) this.reject(value, `more than ${this.scale} fraction digits`)
    const integerDigits = integer === '0' ? 0 : integer.length
    if (integerDigits > this.precision - this.scale)
      this.reject(value, `more than ${this.precision - this.scale} integer digits`)
    const normalized = `${sign}${integer}${fraction ? `.${fraction}` : ''}`
    const significant = (integer === '0' ? '' : integer) + fraction
    return significant.replace(/^0+/, '').length <= EXACT_DOUBLE_DIGITS ? Number(normalized) : normalized
  }
}

/** `Decimal(P, S)`. @example decimal(18, 2) */
export const decimal = (precision: number, scale: number) => new DecimalField(precision, scale)
