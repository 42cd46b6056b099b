import { LowCardinalityField, type Field } from './common.js'

export { LowCardinalityField }

/**
 * `LowCardinality(T)`. Emits `LowCardinality(<inner>)`; the row type is unchanged. Same as
 * `field.lowCardinality()`.
 * @example lowCardinality(string()), lowCardinality(nullable(string()))
 */
export const lowCardinality = <TInner extends Field>(inner: TInner) => new LowCardinalityField(inner)
