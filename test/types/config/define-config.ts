/** Type tests for `defineConfig`: compiled by `tsc --noEmit`, never run. */
import { defineConfig, type ChsyncConfig } from '../../../src/config/index.js'
import type { Model } from '../../../src/models/index.js'
import { users } from '../../fixtures/models/users.js'
import type { Equal, Expect } from '../utils.js'

export const config = defineConfig({
  databases: { default: { url: 'http://127.0.0.1:8123', database: 'analytics', cluster: 'main' } },
  postgres: { url: 'postgres://app@127.0.0.1/app' },
  models: [users],
  router: { route: (model) => (model.table === 'users' ? { writeAliases: ['default'] } : undefined) },
})

type Route = NonNullable<NonNullable<ChsyncConfig['router']>['route']>
export type RouteTakesAModel = Expect<Equal<Parameters<Route>[0], Model>>

defineConfig({
  postgres: { url: 'postgres://app@127.0.0.1/app' },
  models: [],
  // @ts-expect-error a misspelt section
  databses: {},
})

defineConfig({
  // @ts-expect-error a URL must be a string
  postgres: { url: 5432 },
  models: [],
})

defineConfig({
  postgres: { url: 'postgres://app@127.0.0.1/app' },
  models: [],
  // @ts-expect-error readonly is a boolean
  databases: { default: { url: 'chdb://x', readonly: 'yes' } },
})
