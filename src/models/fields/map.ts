import { PoisonRowError } from '../../errors.js'
import { Field, showValue, type ClickHouseValue } from './common.js'

/**
 * `Map(K, V)` (ClickHouse ≥ 21.1). Takes a jsonb object or a JS Map; converts keys with K and values
 * with V, naming the key of one that does not fit. Sends a JSON object.
 */
export class MapField<TKey extends Field = Field, TValue extends Field = Field> extends Field<
  Record<string, TValue['$type']> | Map<TKey['$type'], TValue['$type']>
> {
  readonly kind = 'map'

  constructor(
    readonly key: TKey,
    readonly value: TValue,
  ) {
    super()
  }

  toSQLType(): string {
    return `Map(${this.key.toSQLType()}, ${this.value.toSQLType()})`
  }

  families(): string[] {
    return ['Map', ...this.key.families(), ...this.value.families()]
  }

  emptyValue(): ClickHouseValue {
    return {}
  }

  protected convert(value: unknown): ClickHouseValue {
    let entries: [unknown, unknown][]
    if (value instanceof Map) entries = [...(value as Map<unknown, unknown>).entries()]
    else if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date))
      entries = Object.entries(value as Record<string, unknown>)
    else this.reject(value, 'not an object or Map')
    const out: Record<string, ClickHouseValue> = {}
    for (const [key, item] of entries) {
      try {
        const converted = this.key.toClickHouse(key)
        // JSON object keys are text: ClickHouse parses them back into K.
        out[typeof converted === 'object' ? JSON.stringify(converted) : String(converted)] =
          this.value.toClickHouse(item)
      } catch (error) {
        if (!(error instanceof PoisonRowError)) throw error
        throw new PoisonRowError(`key ${showValue(key)} of ${showValue(value)}: ${error.message}`, {}, { cause: error })
      }
    }
    return out
  }
}

/** `Map(K, V)`. @example map(string(), uInt64()) */
export const map = <TKey extends Field, TValue extends Field>(key: TKey, value: TValue) => new MapField(key, value)
