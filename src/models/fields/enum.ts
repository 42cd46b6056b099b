import { quoteString } from '../../clickhouse/sql.js'
import { ConfigError } from '../../errors.js'
import { Field, type ClickHouseValue } from './common.js'

/** Names and their numbers, e.g. `{ active: 1, deleted: 2 }`. */
export type EnumValues = Readonly<Record<string, number>>

const LIMITS = { 8: [-128, 127], 16: [-32768, 32767] } as const

/**
 * `Enum8` / `Enum16`. A row holds one of the names (typed: a name not in the map is a compile error);
 * the number is accepted too. Sends the name.
 */
export class EnumField<TValues extends EnumValues = EnumValues> extends Field<keyof TValues & string> {
  readonly kind = 'enum'

  constructor(
    readonly bits: 8 | 16,
    readonly values: TValues,
  ) {
    super()
    const entries = Object.entries(values)
    if (entries.length === 0) throw new ConfigError(`Enum${bits} needs at least one value`)
    const [min, max] = LIMITS[bits]
    for (const [name, number] of entries) {
      if (!Number.isInteger(number) || number < min || number > max)
        throw new ConfigError(`Enum${bits} value ${JSON.stringify(name)} = ${number} is outside ${min}..${max}`)
    }
  }

  toSQLType(): string {
    const items = Object.entries(this.values).map(([name, number]) => `${quoteString(name)} = ${number}`)
    return `Enum${this.bits}(${items.join(', ')})`
  }

  families(): string[] {
    return [`Enum${this.bits}`]
  }

  emptyValue(): ClickHouseValue {
    return Object.keys(this.values)[0] ?? ''
  }

  protected convert(value: unknown): ClickHouseValue {
    if (typeof value === 'string' && Object.hasOwn(this.values, value)) return value
    if (typeof value === 'number') {
      const name = Object.keys(this.values).find((key) => this.values[key] === value)
      if (name !== undefined) return name
    }
    this.reject(value, `not one of ${Object.keys(this.values).join(', ')}`)
  }
}

/** `Enum8('a' = 1, …)`. @example enum8({ active: 1, deleted: 2 }) */
export const enum8 = <const TValues extends EnumValues>(values: TValues) => new EnumField(8, values)
/** `Enum16('a' = 1, …)`. */
export const enum16 = <const TValues extends EnumValues>(values: TValues) => new EnumField(16, values)
