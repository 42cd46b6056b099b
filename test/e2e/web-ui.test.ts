import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { openStorage } from '../../src/storages/open-storage.js'
import type { RedisStorage } from '../../src/storages/redis/redis-storage.js'
import { launchChromium } from '../utils/browser.js'
import { postgresPool } from '../utils/clients.js'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'
import { waitUntil } from '../utils/wait-until.js'
import { WorkerProcess } from '../utils/worker-process.js'

/**
 * What a user sees in the Temporal Web UI while a model syncs, in a real headless browser: the
 * workflow list filtered by chsync's search attributes, and the workflow's page with those
 * attributes and the named steps of a round. CHSYNC_WEB_UI_SCREENSHOT=docs/web-ui.png saves the
 * workflow's page for the README.
 */
describe('the Temporal Web UI', () => {
  const table = uniqueName('orders')
  const importKey = uniqueName('orders')
  const workflowId = `chsync-sync-${importKey}`
  const config = writeUsersConfig({ sourceTable: table, importKey })
  const worker = new WorkerProcess(['--config', config.file], config.env)
  const chsync = (...args: string[]) => config.chsync(...args, '--config', config.file)
  const ui = requireEnv('CHSYNC_TEMPORAL_UI_URL')
  let pool: pg.Pool
  let storage: RedisStorage
  let browser: Browser
  let page: Page

  /** Opens the workflow list with a visibility query; whether it lists this model's workflow. */
  async function lists(query: string): Promise<boolean> {
    await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`)
    const row = page.getByRole('link', { name: workflowId, exact: true })
    await row.or(page.getByText('No Workflows Found')).first().waitFor({ timeout: 30_000 })
    return (await row.count()) > 0
  }

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    await worker.start()
    await chsync('start', importKey)
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO "${table}" SELECT g, 'order ' || g, g FROM generate_series(1, 30) g RETURNING id::text AS id`,
    )
    await storage.registerOperations(
      importKey,
      'insert',
      rows.map((row) => row.id),
    )
    await chsync('flush', importKey, '--wait', '--timeout', '60')
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  })

  afterAll(async () => {
    await browser?.close()
    await chsync('stop', importKey).catch(() => undefined)
    await worker.stop()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  const running = `ChsyncModel="${importKey}" AND ChsyncState="running"`
  const paused = `ChsyncModel="${importKey}" AND ChsyncState="paused"`

  it('filters the workflow list by ChsyncState, also right after a pause and a resume', async () => {
    await waitUntil('the running model in the list', () => lists(running), 30_000)
    // The UI took the query as filters, not as text it ignores.
    expect(await page.getByText('ChsyncState = "running"').first().isVisible()).toBe(true)
    expect(await lists(`ChsyncModel="${importKey}" AND ChsyncState="blocked"`)).toBe(false)
    expect(await lists(paused)).toBe(false)

    await chsync('pause', importKey)
    await waitUntil('the paused model in the list', () => lists(paused), 30_000)
    expect(await lists(running)).toBe(false)
    await chsync('resume', importKey)
    await waitUntil('the resumed model in the list', () => lists(running), 30_000)
  })

  it("shows the workflow's search attributes and the named steps of a round", async () => {
    await waitUntil('the running model in the list', () => lists(running), 30_000)
    await page.getByRole('link', { name: workflowId, exact: true }).click()
    await page.waitForURL(/\/(timeline|history)$/)
    // preSync and postSync are local activities (markers in the history); syncBatch is the one
    // scheduled activity, shown with its summary naming the batch.
    const timeline = page.getByText(/^syncBatch • sync batch \d+-\d+ \(30 operations\)$/)
    await timeline.first().waitFor({ timeout: 30_000 })
    expect(await page.getByText('preSync', { exact: true }).first().isVisible()).toBe(true)
    expect(await page.getByText('postSync', { exact: true }).first().isVisible()).toBe(true)
    const screenshot = process.env.CHSYNC_WEB_UI_SCREENSHOT
    if (screenshot) await page.screenshot({ path: screenshot })

    await page.getByText('Search Attributes', { exact: true }).first().click()
    const attributes = page.getByText('"ChsyncModel"').locator('xpath=ancestor::*[contains(., "ChsyncState")][1]')
    await attributes.first().waitFor({ timeout: 30_000 })
    const text = await attributes.first().innerText()
    expect(text).toContain(`"ChsyncModel": "${importKey}"`)
    expect(text).toContain('"ChsyncState": "running"')
    expect(text).toContain('"ChsyncBacklog": 0')
    expect(text).toMatch(/"ChsyncLastSyncTime": "\d{4}-\d\d-\d\dT/)
  })
})
