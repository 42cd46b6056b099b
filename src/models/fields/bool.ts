import { Field, type ClickHouseValue } from './common.js'

const TRUE_TEXT = ['t', 'true', '1', 'yes', 'on']
const FALSE_TEXT = ['f', 'false', '0', 'no', 'off']

/** `Bool` (ClickHouse ≥ 21.12; on older servers declare `uInt8()`, which also takes booleans). */
export class BoolField extends Field<boolean> {
  readonly kind = 'bool'

  toSQLType(): string {
    return 'Bool'
  }

  families(): string[] {
    return ['Bool']
  }

  emptyValue(): ClickHouseValue {
    return false
  }

  protected convert(value: unknown): ClickHouseValue {
    if (typeof value === 'boolean') return value
    if (value === 0 || value === 1) return value === 1
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase()
      if (TRUE_TEXT.includes(text)) return true
      if (FALSE_TEXT.includes(text)) return false
    }
    this.reject(value, 'not a boolean')
  }
}

/** `Bool`. @example bool().default(false) */
export const bool = () => new BoolField()
