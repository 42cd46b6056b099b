import { Field, type ClickHouseValue } from './common.js'

const FLOAT32_MAX = 3.4028234663852886e38

/** `Float32` / `Float64`. NaN and ±Infinity go out as `nan` / `inf` / `-inf` (JSON has no literal for them). */
export class FloatField<TBits extends 32 | 64 = 32 | 64> extends Field<number> {
  readonly kind = 'float'

  constructor(readonly bits: TBits) {
    super()
  }

  toSQLType(): string {
    return `Float${this.bits}`
  }

  families(): string[] {
    return [this.toSQLType()]
  }

  emptyValue(): ClickHouseValue {
    return 0
  }

  protected convert(value: unknown): ClickHouseValue {
    let number: number
    if (typeof value === 'number') number = value
    else if (typeof value === 'bigint') number = Number(value)
    else if (typeof value === 'string' && value.trim() !== '') {
      // pg prints float8/numeric specials as NaN / Infinity / -Infinity.
      number = Number(value.trim())
      if (Number.isNaN(number) && value.trim() !== 'NaN') this.reject(value, 'not a number')
    } else this.reject(value, 'not a number')
    if (Number.isNaN(number)) return 'nan'
    if (number === Infinity) return 'inf'
    if (number === -Infinity) return '-inf'
    if (this.bits === 32 && Math.abs(number) > FLOAT32_MAX) this.reject(value, 'out of Float32 range')
    return number
  }
}

/** `Float32`. @example array(float32(), { dimension: 384 }) */
export const float32 = () => new FloatField(32)
/** `Float64`. */
export const float64 = () => new FloatField(64)
