import { Field, type ClickHouseValue } from './common.js'

/**
 * `LowCardinality(T)`: dictionary-encoded storage, same values as T. ClickHouse 18.x–19.x need
 * `allow_experimental_low_cardinality_type = 1`, which the DDL generator sets when the probe says so.
 */
export class LowCardinalityField<TInner extends Field = Field> extends Field<TInner['$type']> {
  readonly kind = 'lowCardinality'

  constructor(readonly inner: TInner) {
    super()
  }

  toSQLType(): string {
    return `LowCardinality(${this.inner.toSQLType()})`
  }

  families(): string[] {
    return ['LowCardinality', ...this.inner.families()]
  }

  emptyValue(): ClickHouseValue {
    return this.inner.emptyValue()
  }

  override toClickHouse(value: unknown): ClickHouseValue {
    return this.inner.toClickHouse(value)
  }

  protected convert(value: unknown): ClickHouseValue {
    return this.inner.toClickHouse(value)
  }
}

/**
 * `LowCardinality(T)`. Emits `LowCardinality(<inner>)`; the row type is unchanged.
 * @example lowCardinality(string()), lowCardinality(nullable(string()))
 */
export const lowCardinality = <TInner extends Field>(inner: TInner) => new LowCardinalityField(inner)
