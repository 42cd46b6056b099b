import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/**
 * Where the headless browser of the Web UI test is: Debian's `chromium` package, which
 * scripts/test-tools.sh installs (Playwright's own browser download is not used).
 */
export const chromiumPath = process.env.CHSYNC_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Launches headless Chromium. Playwright gives every launch a fresh profile of its own (it refuses
 * --user-data-dir here), so nothing carries over between runs. The flags keep the browser off the
 * network except for the page under test: no QUIC, sync, component updates or background requests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no browser at ${chromiumPath}: run \`bash scripts/test-tools.sh\` (as root it installs Debian's chromium) or set CHSYNC_CHROMIUM`,
    )
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
