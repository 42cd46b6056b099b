import { z } from 'zod'
import { Model, type MultiModel } from '../models/model.js'
import { isMultiModel } from '../models/multi-model.js'
import type { Routing } from '../models/model.js'
import type { RouteFunction } from '../routing/router.js'

/**
 * The config file's shape, validated at start. Every object is strict: an unknown key is an error
 * naming its path, so a typo (`databses`) fails loudly instead of being ignored.
 */

const routingSchema = z.strictObject({
  readAliases: z.array(z.string()).optional(),
  writeAliases: z.array(z.string()).optional(),
  migrateReplicatedAliases: z.array(z.string()).optional(),
  migrateNonReplicatedAliases: z.array(z.string()).optional(),
})

export const databaseSchema = z.strictObject({
  /** `http(s)://host:port` (server) or `chdb://<dir>` (embedded). */
  url: z
    .string()
    .min(1)
    // The message never repeats the value: a URL may carry a password.
    .refine((url) => /^(https?|chdb):\/\//.test(url), { message: 'expected an http://, https:// or chdb:// URL' }),
  /** @default the URL's path, else `default` */
  database: z.string().min(1).optional(),
  user: z.string().optional(),
  /** Never logged or shown in errors. */
  password: z.string().optional(),
  /** Cluster the alias belongs to: replicated tables are migrated on one alias per cluster. */
  cluster: z.string().min(1).optional(),
  /** A read-only alias is never written to or migrated. @default false */
  readonly: z.boolean().optional(),
  /** `false` skips migrations on this alias. @default true */
  migrate: z.boolean().optional(),
})

export const configSchema = z.strictObject({
  /** ClickHouse databases by alias. @default { default: { url: 'chdb://.chsync/chdb', database: 'default' } } */
  databases: z.record(z.string().min(1), databaseSchema).optional(),
  postgres: z.strictObject({ url: z.string().min(1) }),
  /** @default { url: 'redis://127.0.0.1:6379', prefix: 'chsync' } */
  redis: z
    .strictObject({
      url: z.string().min(1),
      /** First segment of every key chsync writes: apps sharing one Redis each take their own. @default 'chsync' */
      prefix: z.string().min(1).optional(),
    })
    .optional(),
  /** @default { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'chsync' } */
  temporal: z
    .strictObject({
      address: z.string().min(1).optional(),
      namespace: z.string().min(1).optional(),
      taskQueue: z.string().min(1).optional(),
      /** How fast a dead worker's activity is retried elsewhere. @default see ActivityTimeouts */
      activityTimeouts: z
        .strictObject({
          heartbeatMs: z.number().int().min(1000).optional(),
          bookkeepingMs: z.number().int().min(1000).optional(),
        })
        .optional(),
    })
    .optional(),
  models: z.array(
    z.custom<Model | MultiModel>((value) => Model.is(value) || isMultiModel(value), {
      message: 'expected a model from defineModel or defineMultiModel',
    }),
  ),
  /** Routing defaults for every model, and an optional function that decides for all of them. */
  router: z
    .strictObject({
      defaults: routingSchema.optional(),
      route: z
        .custom<RouteFunction>((value) => typeof value === 'function', { message: 'expected a function' })
        .optional(),
    })
    .optional(),
  /** Folder of migration files. @default 'migrations' (next to the config file) */
  migrationsDir: z.string().min(1).optional(),
})

/** What a `chsync.config.ts` default-exports (through `defineConfig`). */
export type ChsyncConfig = z.input<typeof configSchema>
export type DatabaseConfig = z.output<typeof databaseSchema>
export type RouterConfig = { defaults?: Routing; route?: RouteFunction }
