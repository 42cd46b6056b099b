import { Field, type ClickHouseValue } from './common.js'

/** `Nullable(T)`: NULL (and a missing value without default) goes out as `null`; the row type gains `| null`. */
export class NullableField<TInner extends Field = Field> extends Field<TInner['$type'] | null> {
  readonly kind = 'nullable'

  constructor(readonly inner: TInner) {
    super()
  }

  toSQLType(): string {
    return `Nullable(${this.inner.toSQLType()})`
  }

  families(): string[] {
    return ['Nullable', ...this.inner.families()]
  }

  emptyValue(): ClickHouseValue {
    return null
  }

  override toClickHouse(value: unknown): ClickHouseValue {
    return value === null || value === undefined ? null : this.inner.toClickHouse(value)
  }

  protected convert(value: unknown): ClickHouseValue {
    return this.inner.toClickHouse(value)
  }
}

/**
 * `Nullable(T)`. Emits `Nullable(<inner>)`; the row type becomes `T | null`.
 * @example nullable(string())
 */
export const nullable = <TInner extends Field>(inner: TInner) => new NullableField(inner)
