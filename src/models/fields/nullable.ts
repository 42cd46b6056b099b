import { NullableField, type Field } from './common.js'

export { NullableField }

/**
 * `Nullable(T)`. Emits `Nullable(<inner>)`; the row type becomes `T | null`. Same as `field.nullable()`.
 * @example nullable(string())
 */
export const nullable = <TInner extends Field>(inner: TInner) => new NullableField(inner)
