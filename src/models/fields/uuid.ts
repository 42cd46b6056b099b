import { Field, type ClickHouseValue } from './common.js'

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** `UUID`: the canonical lowercase 8-4-4-4-12 form goes out, whatever case or dashes came in. */
export class UUIDField extends Field<string> {
  readonly kind = 'uuid'

  toSQLType(): string {
    return 'UUID'
  }

  families(): string[] {
    return ['UUID']
  }

  emptyValue(): ClickHouseValue {
    return '00000000-0000-0000-0000-000000000000'
  }

  protected convert(value: unknown): ClickHouseValue {
    if (typeof value !== 'string' || !UUID_PATTERN.test(value.trim())) this.reject(value, 'not a UUID')
    const hex = value.trim().replace(/-/g, '').toLowerCase()
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

/** `UUID`. @example uuid() */
export const uuid = () => new UUIDField()
