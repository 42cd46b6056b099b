import type { Model, Routing } from '../models/model.js'

/**
 * Decides routing for every model (reference/motivation.md's router): returns the lists it wants to
 * set, or undefined to keep the model's own. What it returns wins over the model and the defaults.
 * @example route: (model) => (model.table.startsWith('raw_') ? { writeAliases: ['ingest'] } : undefined)
 */
export type RouteFunction = (model: Model) => Routing | undefined

/** A model's routing with every list resolved to database aliases. */
export type ResolvedRouting = Required<{ [K in keyof Routing]: readonly string[] }>
