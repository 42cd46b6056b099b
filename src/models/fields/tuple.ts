import { ConfigError, PoisonRowError } from '../../errors.js'
import { Field, showValue, type ClickHouseValue } from './common.js'

/** The row type of a tuple of fields: a JS tuple of their row types. */
export type TupleData<TItems extends readonly Field[]> = { -readonly [K in keyof TItems]: TItems[K]['$type'] }

/** `Tuple(T1, T2, …)`: takes and sends a JS array with one element per item type. */
export class TupleField<TItems extends readonly Field[] = readonly Field[]> extends Field<TupleData<TItems>> {
  readonly kind = 'tuple'

  constructor(readonly items: TItems) {
    super()
    if (items.length === 0) throw new ConfigError('Tuple needs at least one element type')
  }

  toSQLType(): string {
    return `Tuple(${this.items.map((item) => item.toSQLType()).join(', ')})`
  }

  families(): string[] {
    return ['Tuple', ...this.items.flatMap((item) => item.families())]
  }

  emptyValue(): ClickHouseValue {
    return this.items.map((item) => item.emptyValue())
  }

  protected convert(value: unknown): ClickHouseValue {
    if (!Array.isArray(value)) this.reject(value, 'not an array')
    if (value.length !== this.items.length)
      this.reject(value, `${value.length} elements, expected ${this.items.length}`)
    return this.items.map((item, index) => {
      try {
        return item.toClickHouse(value[index])
      } catch (error) {
        if (!(error instanceof PoisonRowError)) throw error
        throw new PoisonRowError(`element [${index}] of ${showValue(value)}: ${error.message}`, {}, { cause: error })
      }
    })
  }
}

/** `Tuple(T1, …)`. @example tuple(float64(), float64()) // a point */
export const tuple = <const TItems extends readonly Field[]>(...items: TItems) => new TupleField(items)
