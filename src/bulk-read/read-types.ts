import type { ArrayField } from '../models/fields/array.js'
import type { BoolField } from '../models/fields/bool.js'
import type { Field, LowCardinalityField, NullableField } from '../models/fields/common.js'
import type { DateField } from '../models/fields/date.js'
import type { DateTime64Field, DateTimeField } from '../models/fields/datetime.js'
import type { DecimalField } from '../models/fields/decimal.js'
import type { EnumField } from '../models/fields/enum.js'
import type { FloatField } from '../models/fields/float.js'
import type { IntField } from '../models/fields/int.js'
import type { IPField } from '../models/fields/ip.js'
import type { MapField } from '../models/fields/map.js'
import type { FixedStringField, StringField } from '../models/fields/string.js'
import type { TupleField } from '../models/fields/tuple.js'
import type { UUIDField } from '../models/fields/uuid.js'
import type { Fields } from '../models/model.js'

/**
 * The JS value a bulk read returns for a field: one member of the field's row type (`$inferRow`), so
 * a row read back is a valid row to write. 64-bit and wider integers are `bigint`, Decimal is exact
 * text, Date is `YYYY-MM-DD`, DateTime a `Date`, DateTime64 ISO text in UTC (exact to its precision),
 * Map a plain object keyed by the key's text.
 */
export type ReadValue<F> =
  F extends NullableField<infer Inner>
    ? ReadValue<Inner> | null
    : F extends LowCardinalityField<infer Inner>
      ? ReadValue<Inner>
      : F extends IntField<infer Bits>
        ? Bits extends 8 | 16 | 32
          ? number
          : bigint
        : F extends FloatField
          ? number
          : F extends DecimalField
            ? string
            : F extends BoolField
              ? boolean
              : F extends StringField | FixedStringField | UUIDField | IPField | DateField | DateTime64Field
                ? string
                : F extends DateTimeField
                  ? Date
                  : F extends EnumField<infer Values>
                    ? keyof Values & string
                    : F extends ArrayField<infer Inner>
                      ? ReadValue<Inner>[]
                      : F extends MapField<Field, infer Value>
                        ? Record<string, ReadValue<Value>>
                        : F extends TupleField<infer Items>
                          ? { -readonly [K in keyof Items]: ReadValue<Items[K]> }
                          : F extends Field<infer Data>
                            ? Data
                            : never

/** A row of a bulk read: the selected columns, each as `ReadValue` of its field. */
export type ReadRow<TFields extends Fields, TColumn extends keyof TFields = keyof TFields> = {
  -readonly [K in TColumn]: ReadValue<TFields[K]>
}

/** The typed array a numeric field reads into. */
export type NumericArrayOf<F> =
  F extends LowCardinalityField<infer Inner>
    ? NumericArrayOf<Inner>
    : F extends IntField<infer Bits>
      ? Bits extends 8
        ? Int8Array | Uint8Array
        : Bits extends 16
          ? Int16Array | Uint16Array
          : Bits extends 32
            ? Int32Array | Uint32Array
            : Bits extends 64
              ? BigInt64Array | BigUint64Array
              : never
      : F extends FloatField<infer Bits>
        ? Bits extends 32
          ? Float32Array
          : Float64Array
        : F extends BoolField
          ? Uint8Array
          : never

/** Any typed array a numeric column can be. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array

/**
 * An `Array(<number>)` column (embeddings) as one contiguous typed array: row `i` is
 * `values.subarray(offsets[i], offsets[i + 1])`, or `values.subarray(i * dimension, (i + 1) * dimension)`
 * when every row has the same length (`dimension` is then that length, else `undefined`).
 */
export interface VectorColumn<TValues extends NumericArray = NumericArray> {
  readonly kind: 'vector'
  values: TValues
  /** `rows + 1` element offsets into `values`. */
  offsets: Float64Array
  dimension: number | undefined
}

/** How a field comes back in a columnar read: numbers in typed arrays, everything else as an array of values. */
export type ColumnOf<F> = [NumericArrayOf<F>] extends [never]
  ? F extends ArrayField<infer Inner>
    ? [NumericArrayOf<Inner>] extends [never]
      ? ReadValue<F>[]
      : VectorColumn<NumericArrayOf<Inner>>
    : ReadValue<F>[]
  : NumericArrayOf<F>

/** The result of `readModelColumns`: the row count and one column per selected field. */
export interface ColumnarResult<TFields extends Fields, TColumn extends keyof TFields = keyof TFields> {
  rows: number
  columns: { [K in TColumn]: ColumnOf<TFields[K]> }
}
