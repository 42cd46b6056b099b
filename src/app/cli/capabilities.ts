import { Command } from 'commander'
import { openClickHouse, probeCapabilities } from '../../clickhouse/index.js'

/** `chsync capabilities [URL]`: what a ClickHouse target supports, as chsync will adapt to it. */
export function capabilitiesCommand(): Command {
  return new Command('capabilities')
    .description('probe a ClickHouse server (http://…) or embedded engine (chdb://dir) and print what it supports')
    .argument('[url]', 'ClickHouse URL', process.env.CHSYNC_CLICKHOUSE_URL ?? 'chdb://:memory:')
    .option('--json', 'print JSON')
    .action(async (url: string, options: { json?: boolean }) => {
      const target = openClickHouse({ url })
      try {
        const {
          settings: _s,
          mergeTreeSettings: _m,
          dataTypes: _d,
          outputFormats: _f,
          ...capabilities
        } = await probeCapabilities(target)
        if (options.json) {
          console.log(JSON.stringify({ url: target.displayUrl, ...capabilities }, null, 2))
        } else {
          console.log(`${target.displayUrl}: ClickHouse ${capabilities.version}`)
          for (const [name, value] of Object.entries(capabilities)) {
            if (typeof value === 'boolean') console.log(`  ${value ? 'yes' : 'no '}  ${name}`)
          }
        }
      } finally {
        await target.client.close()
      }
    })
}
