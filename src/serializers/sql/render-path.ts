import { ConfigError, messageOf } from '../../errors.js'
import type { Model } from '../../models/model.js'
import type { SourceTableDescription } from '../../source/describe.js'
import { compileBatchQuery, type BatchQuery } from './batch-query.js'
import { NotRenderable } from './render-field.js'

/**
 * Which serializer a model's rounds use. `sql`: PostgreSQL renders the rows (src/serializers/sql),
 * Node moves bytes. `js`: rows are read as objects and serialized by src/serializers/serialize-batch.ts —
 * for a whole-row serializer or a computed column (JavaScript), collapsing engines and tombstones that
 * need ClickHouse's current state, a field/type pairing without SQL rendering (the reason names the
 * column), a model with a configuration error (the JS path reports it, as it always has), and the
 * models of a multi-model (their poison rows must be dropped from every table alike).
 */
export type RenderPath = { path: 'sql'; query: BatchQuery } | { path: 'js'; reason: string }

export function renderPath(
  model: Model,
  description: SourceTableDescription,
  options: { multiModel?: boolean } = {},
): RenderPath {
  if (options.multiModel) return { path: 'js', reason: 'a model of a multi-model' }
  try {
    return { path: 'sql', query: compileBatchQuery(model, description) }
  } catch (error) {
    if (error instanceof NotRenderable || error instanceof ConfigError) return { path: 'js', reason: messageOf(error) }
    throw error
  }
}
