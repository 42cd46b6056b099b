import { ConfigError, PoisonRowError } from '../../errors.js'
import { Field, showValue, type ClickHouseValue } from './common.js'

export interface ArrayOptions {
  /**
   * Exact number of elements every value must have (embeddings: `384`); a value of another length is
   * rejected. @default undefined (any length)
   */
  dimension?: number
}

/**
 * Parses PostgreSQL array text `{1,2,"a b",NULL}` (one dimension; pg returns arrays of built-in types
 * already parsed, but not of extension types). Input: the literal as pg prints it; quoted elements
 * may contain commas and backslash escapes.
 */
function parsePgArray(text: string): (string | null)[] | null {
  if (!text.startsWith('{') || !text.endsWith('}')) return null
  const body = text.slice(1, -1)
  if (body.trim() === '') return []
  const items: (string | null)[] = []
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,{}"]*))\s*(,|$)/y
  while (pattern.lastIndex < body.length) {
    const match = pattern.exec(body)
    if (!match) return null
    const [, quoted, bare, separator] = match
    if (quoted !== undefined) items.push(quoted.replace(/\\(.)/g, '$1'))
    else items.push(bare === 'NULL' ? null : (bare ?? '').trim())
    if (separator === '') break
  }
  return items
}

/**
 * `Array(T)`. Takes a JS array or typed array, pgvector text (`[1,2,3]`) or pg array text (`{1,2,3}`);
 * converts each element with T, naming the index of one that does not fit.
 */
export class ArrayField<TInner extends Field = Field> extends Field<TInner['$type'][]> {
  readonly kind = 'array'

  constructor(
    readonly inner: TInner,
    readonly arrayOptions: ArrayOptions = {},
  ) {
    super()
    const { dimension } = arrayOptions
    if (dimension !== undefined && (!Number.isInteger(dimension) || dimension < 0))
      throw new ConfigError(`Array dimension must be a whole number ≥ 0, got ${dimension}`)
  }

  toSQLType(): string {
    return `Array(${this.inner.toSQLType()})`
  }

  families(): string[] {
    return ['Array', ...this.inner.families()]
  }

  emptyValue(): ClickHouseValue {
    const { dimension } = this.arrayOptions
    return dimension ? Array.from({ length: dimension }, () => this.inner.emptyValue()) : []
  }

  protected convert(value: unknown): ClickHouseValue {
    let items: unknown[] | null = null
    if (Array.isArray(value)) items = value
    else if (ArrayBuffer.isView(value) && !(value instanceof DataView))
      items = Array.from(value as unknown as ArrayLike<unknown>)
    else if (typeof value === 'string') {
      const text = value.trim()
      if (text.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(text)
          items = Array.isArray(parsed) ? parsed : null
        } catch {
          items = null
        }
      } else items = parsePgArray(text)
    }
    if (!items) this.reject(value, 'not an array')
    const { dimension } = this.arrayOptions
    if (dimension !== undefined && items.length !== dimension)
      this.reject(value, `${items.length} elements, expected ${dimension}`)
    // Copied only from the first element conversion changes: an embedding of plain numbers (384–1536
    // per row, 10,000 rows a batch) goes out as the array pg parsed, not as a second copy of it.
    let out: ClickHouseValue[] | null = null
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      let converted: ClickHouseValue
      try {
        converted = this.inner.toClickHouse(item)
      } catch (error) {
        if (!(error instanceof PoisonRowError)) throw error
        throw new PoisonRowError(`element [${index}] of ${showValue(value)}: ${error.message}`, {}, { cause: error })
      }
      if (out) out.push(converted)
      else if (converted !== item) out = [...(items.slice(0, index) as ClickHouseValue[]), converted]
    }
    return out ?? (items as ClickHouseValue[])
  }
}

/**
 * `Array(T)`. Emits `Array(<inner>)`; the row type is `T[]`.
 * @example array(float32(), { dimension: 384 }) // an embedding, length checked
 */
export const array = <TInner extends Field>(inner: TInner, options?: ArrayOptions) => new ArrayField(inner, options)
