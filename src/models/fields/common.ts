import { PoisonRowError } from '../../errors.js'

/** A value as a JSONEachRow line carries it: what `Field.toClickHouse` returns. */
export type ClickHouseValue = string | number | boolean | null | ClickHouseValue[] | { [key: string]: ClickHouseValue }

/**
 * The field families, one per file in this folder. A closed vocabulary: code that must treat a family
 * specially (DDL capability checks, key matching) switches on `kind` instead of using `instanceof`.
 */
export const FIELD_KINDS = [
  'int',
  'float',
  'decimal',
  'bool',
  'string',
  'fixedString',
  'uuid',
  'date',
  'dateTime',
  'dateTime64',
  'enum',
  'ip',
  'nullable',
  'lowCardinality',
  'array',
  'map',
  'tuple',
] as const
export type FieldKind = (typeof FIELD_KINDS)[number]
export function isFieldKind(value: unknown): value is FieldKind {
  return typeof value === 'string' && (FIELD_KINDS as readonly string[]).includes(value)
}

/** Column options every field carries; set through the modifiers, never mutated afterwards. */
export interface FieldOptions {
  /** JS value used when the source row lacks the column; also emitted as `DEFAULT <literal>`. */
  default?: ClickHouseValue
  /** A ClickHouse expression for `DEFAULT <expr>`; the serializer then omits a missing value. */
  defaultSQL?: string
  /** Codec expression, emitted as `CODEC(<codec>)`. */
  codec?: string
  /** Column comment, emitted as `COMMENT '<text>'`. */
  comment?: string
}

/** The value for error messages: short, and unambiguous about its JS type. */
export function showValue(value: unknown): string {
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()})`
  if (typeof value === 'bigint') return `${value}n`
  if (value === undefined) return 'undefined'
  let text: string
  try {
    // undefined for functions and symbols: their type is all an error message needs.
    text = JSON.stringify(value) ?? typeof value
  } catch {
    text = `unserializable ${typeof value}`
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/**
 * A ClickHouse column type with its value mapping. Subclasses hold the type's parameters; the phantom
 * `$type` is the JS type a row holds for the column, which `defineModel` turns into `$inferRow`.
 */
export abstract class Field<TData = unknown> {
  /** Type-level only: the JS value type of this column. */
  declare readonly $type: TData
  abstract readonly kind: FieldKind
  options: FieldOptions = {}

  /** The column's ClickHouse type, e.g. `Nullable(UInt64)`. */
  abstract toSQLType(): string

  /**
   * The ClickHouse type families this column needs (`system.data_type_families` names), so DDL can
   * refuse a type the server lacks with an error naming the column.
   */
  abstract families(): string[]

  /** A value that fits the type, used to fill columns of a tombstone row built from a key alone. */
  abstract emptyValue(): ClickHouseValue

  /** Converts a present (non-null) value; throws through `reject`. */
  protected abstract convert(value: NonNullable<unknown>): ClickHouseValue

  /**
   * `value` (as `pg` returns it) as the JSONEachRow value for this column. Validates: a value that
   * does not fit throws `PoisonRowError` naming the value and the type.
   */
  toClickHouse(value: unknown): ClickHouseValue {
    if (value === null || value === undefined) {
      this.reject(value, 'NULL into a non-Nullable column')
    }
    return this.convert(value)
  }

  /** Throws the `PoisonRowError` for a value that does not fit; the serializer adds model and key. */
  protected reject(value: unknown, why: string): never {
    throw new PoisonRowError(`value ${showValue(value)} does not fit ${this.toSQLType()}: ${why}`)
  }

  /** A copy with some options changed: fields are immutable, so a shared builder is never altered. */
  protected withOptions(patch: FieldOptions): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this
    Object.assign(copy, this)
    copy.options = { ...this.options, ...patch }
    return copy
  }

  /**
   * Default for a missing source value, converted (and so validated) now.
   * Emits `DEFAULT <literal>`; the row type is unchanged.
   * @example uInt32().default(0)
   */
  default(value: TData): this {
    return this.withOptions({ default: this.toClickHouse(value), defaultSQL: undefined })
  }

  /**
   * A ClickHouse expression as the default: emits `DEFAULT <expr>`, and the serializer omits a missing
   * value so the server computes it.
   * @example dateTime('UTC').defaultSQL('now()')
   */
  defaultSQL(expression: string): this {
    return this.withOptions({ defaultSQL: expression, default: undefined })
  }

  /**
   * `Nullable(T)`: emits `Nullable(<type>)`; the row type gains `| null`. Same as `nullable(field)`.
   * @example string().nullable()
   */
  nullable(): NullableField<this> {
    return new NullableField(this)
  }

  /**
   * `LowCardinality(T)`: emits `LowCardinality(<type>)`; the row type is unchanged. Same as
   * `lowCardinality(field)`.
   * @example string().lowCardinality()
   */
  lowCardinality(): LowCardinalityField<this> {
    return new LowCardinalityField(this)
  }

  /**
   * Emits `CODEC(<codec>)` (ClickHouse ≥ 19.1).
   * @example float64().codec('Gorilla, ZSTD(1)')
   */
  codec(codec: string): this {
    return this.withOptions({ codec })
  }

  /**
   * Emits `COMMENT '<text>'`.
   * @example string().comment('as typed by the user')
   */
  comment(text: string): this {
    return this.withOptions({ comment: text })
  }
}

/** Parses an integer written in decimal (`pg` returns int8 and numeric as strings); null if it is not one. */
export function parseBigInt(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim())
  if (typeof value === 'boolean') return value ? 1n : 0n
  return null
}

// The two wrappers live here, beside the class they wrap, so that Field's `.nullable()` and
// `.lowCardinality()` can build them without an import cycle between field files.

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
