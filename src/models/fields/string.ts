import { ConfigError } from '../../errors.js'
import { Field, type ClickHouseValue } from './common.js'

/**
 * Text for a `String` column: strings as they are; numbers and bigints in decimal; jsonb objects and
 * arrays as JSON text (the usual way to keep a document in ClickHouse).
 */
function toText(field: Field, value: unknown, reject: (value: unknown, why: string) => never): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (Buffer.isBuffer(value)) return reject(value, 'binary data (bytea) is not text; encode it in the source query')
  if (value instanceof Date) return reject(value, `a Date for ${field.toSQLType()}; declare a date/time field`)
  if (typeof value === 'object') return JSON.stringify(value)
  return reject(value, 'not text')
}

/** `String`. */
export class StringField extends Field<string> {
  readonly kind = 'string'

  toSQLType(): string {
    return 'String'
  }

  families(): string[] {
    return ['String']
  }

  emptyValue(): ClickHouseValue {
    return ''
  }

  protected convert(value: unknown): ClickHouseValue {
    return toText(this, value, (v, why) => this.reject(v, why))
  }
}

/** `FixedString(N)`: at most N bytes of UTF-8 (ClickHouse pads shorter values with NUL bytes). */
export class FixedStringField extends Field<string> {
  readonly kind = 'fixedString'

  constructor(readonly length: number) {
    super()
    if (!Number.isInteger(length) || length < 1) throw new ConfigError(`FixedString length must be ≥ 1, got ${length}`)
  }

  toSQLType(): string {
    return `FixedString(${this.length})`
  }

  families(): string[] {
    return ['FixedString']
  }

  emptyValue(): ClickHouseValue {
    return ''
  }

  protected convert(value: unknown): ClickHouseValue {
    const text = toText(this, value, (v, why) => this.reject(v, why))
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > this.length) this.reject(value, `${bytes} bytes, longer than ${this.length}`)
    return text
  }
}

/** `String`. @example string().default('') */
export const string = () => new StringField()
/** `FixedString(N)`. @example fixedString(2) // ISO country code */
export const fixedString = (length: number) => new FixedStringField(length)
