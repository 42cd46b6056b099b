import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes.js'

const execFileAsync = promisify(execFile)

/** The parts of compose-go's model of a compose file that the checks below read. */
interface ComposeModel {
  services: Record<
    string,
    {
      image: string
      command?: string[]
      profiles?: string[]
      healthcheck?: { test: string[] }
      depends_on?: Record<string, { condition: string }>
      environment?: Record<string, string>
    }
  >
}

/**
 * docker-compose.yml is validated by compose-go (the loader of `docker compose config`, built by
 * scripts/test-tools.sh; no Docker engine needed) and held to what the README promises: pinned
 * images, a health check on every service, and a worker under the `worker` profile.
 */
describe('docker-compose.yml', () => {
  const validator = execFileSync('bash', ['scripts/test-tools.sh', 'path'], { encoding: 'utf8' }).trim()
  const validate = (file: string) => execFileAsync(validator, ['--format', 'json', file], { cwd: resolve('.') })
  let model: ComposeModel

  beforeAll(async () => {
    if (!existsSync(validator))
      throw new Error(`no compose validator at ${validator}: run \`bash scripts/test-tools.sh\``)
    model = JSON.parse((await validate('docker-compose.yml')).stdout) as ComposeModel
  })

  it('is rejected by the validator when broken, so a pass means something', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'chsync-compose-')), 'docker-compose.yml')
    writeFileSync(broken, readFileSync('docker-compose.yml', 'utf8').replace('healthcheck:', 'healthchek:'))
    await expect(validate(broken)).rejects.toThrow(/services\.postgres\.healthchek/)
  })

  it('pins every image to a full version', () => {
    // PostgreSQL's versions have two parts since 10 (16.8); the others three or four.
    for (const [name, service] of Object.entries(model.services))
      expect(service.image, name).toMatch(
        name === 'postgres' ? /^postgres:\d+\.\d+$/ : /^[a-z0-9./-]+:\d+\.\d+\.\d+(\.\d+)?$/,
      )
  })

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(model.services))
      expect(service.healthcheck?.test[0], name).toMatch(/^CMD(-SHELL)?$/)
  })

  it('adds a chsync worker only with the worker profile, once every service is healthy', () => {
    const { worker, ...stack } = model.services
    expect(worker?.profiles).toEqual(['worker'])
    expect(worker?.command?.join(' ')).toMatch(/npx chsync worker/)
    expect(Object.values(stack).map((service) => service.profiles)).toEqual(Object.values(stack).map(() => undefined))
    const conditions = Object.entries(worker?.depends_on ?? {}).map(([name, { condition }]) => [name, condition])
    expect(Object.fromEntries(conditions)).toEqual(
      Object.fromEntries(Object.keys(stack).map((name) => [name, 'service_healthy'])),
    )
    expect(worker?.environment?.CHSYNC_POSTGRES_URL).toMatch(/@postgres:5432\//)
    expect(worker?.environment).toMatchObject({
      CHSYNC_REDIS_URL: 'redis://redis:6379',
      CHSYNC_CLICKHOUSE_URL: 'http://clickhouse:8123',
      CHSYNC_TEMPORAL_ADDRESS: 'temporal:7233',
    })
  })

  it("registers the workflows' search attributes on the Temporal dev server", () => {
    const types = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime' } as Record<string, string>
    const wanted = SEARCH_ATTRIBUTES.map((key) => `--search-attribute=${key.name}=${types[key.type]}`)
    expect(model.services.temporal?.command).toEqual(expect.arrayContaining(wanted))
  })
})
