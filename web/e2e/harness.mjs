// @ts-check
// What the browser tests stand on: the real server on a free port over a fresh SQLite file,
// Debian's Chromium driven by playwright-core, screenshots, and axe-core.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const repo = fileURLToPath(new URL('../..', import.meta.url))
export const fixture = (name) => path.join(repo, 'tests/fixtures', name)
const screenshots = path.join(repo, 'target/browser-screenshots')

/**
 * Starts the binary (PRATICO_BIN, or the debug build) over a fresh SQLite file and resolves
 * once it listens; `restart()` stops it and starts it again on the same port and database.
 */
export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pratico-e2e-'))
  let { child, url } = await spawnServer('127.0.0.1:0', dir)
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  return {
    url,
    async restart() {
      await stop()
      ;({ child } = await spawnServer(new URL(url).host, dir))
    },
    async stop() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** @returns {Promise<{ child: import('node:child_process').ChildProcess, url: string }>} */
function spawnServer(listen, dir) {
  // A relative PRATICO_BIN is relative to the repository, whatever directory node runs in.
  const bin = path.resolve(repo, process.env.PRATICO_BIN ?? 'target/debug/pratico')
  const child = spawn(bin, [], {
    env: {
      ...process.env,
      PRATICO_LISTEN: listen,
      PRATICO_DATABASE_URL: `sqlite://${dir}/pratico.db`,
      PRATICO_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk) => {
      out += chunk
      const found = out.match(/open (http:\/\/\S+)/)
      if (found) resolve({ child, url: found[1] })
    })
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)))
  })
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * A browser context, as a laptop or a phone, in a language; any request that leaves the
 * server under test fails the run (the UI must work on a closed network).
 * @param {import('playwright-core').Browser} browser
 * @param {string} base
 * @param {{ phone?: boolean, locale?: string }} options
 */
export async function newPage(browser, base, { phone = false, locale = 'en-US' } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    locale,
    viewport: phone ? { width: 390, height: 844 } : { width: 1366, height: 860 },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    permissions: ['clipboard-read', 'clipboard-write'],
  })
  const page = await context.newPage()
  const problems = []
  watch(page, base, problems)
  return { page, context, problems }
}

/**
 * Notes in `problems` any page error and any request that leaves the server (for a tab opened
 * later in a context).
 * @param {import('playwright-core').Page} page
 * @param {string} base
 * @param {string[]} problems
 */
export function watch(page, base, problems) {
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}\n${error.stack}`))
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(base) && !/^(data|blob):/.test(url)) problems.push(`external request: ${url}`)
  })
}

/**
 * A camera for one test file: the function it returns saves a page as
 * `target/browser-screenshots/<suite>/NN-name.png`, numbered in the order taken.
 */
export function camera(suite) {
  const folder = path.join(screenshots, suite)
  let taken = 0
  /** @param {import('playwright-core').Page} page @param {string} name */
  return async (page, name) => {
    mkdirSync(folder, { recursive: true })
    taken += 1
    await page.screenshot({ path: path.join(folder, `${String(taken).padStart(2, '0')}-${name}.png`), fullPage: true })
  }
}

// Evaluated through the DevTools protocol, not added as a `<script>`: the UI's
// Content-Security-Policy runs no inline script, and rightly.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Runs axe-core (WCAG 2.1 A and AA) on the page and returns its violations, readable. The
 * tldraw canvas is tldraw's own and left out; what the page puts around it is checked.
 * @param {import('playwright-core').Page} page
 */
export async function accessibilityViolations(page) {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    // @ts-ignore axe is the script just added
    const result = await window.axe.run(
      { exclude: [['.tl-container']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    )
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  })
  return violations
}

/**
 * Runs axe on the page and files what it finds under `name` in `found`, so that a suite reports
 * every screen at once.
 * @param {Record<string, string[]>} found
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function auditInto(found, page, name) {
  const violations = await accessibilityViolations(page)
  if (violations.length) found[name] = violations
}

/**
 * Joins the room at `link` from a participant's page, in English or French, and waits for the
 * sample deck's first slide.
 * @param {import('playwright-core').Page} page
 */
export async function joinRoom(page, link, first, last, fr = false) {
  await page.goto(link)
  await page.getByLabel(fr ? 'Prénom' : 'First name').fill(first)
  await page.getByLabel(fr ? 'Nom' : 'Last name', { exact: true }).fill(last)
  await page.getByRole('button', { name: fr ? 'Rejoindre la session' : 'Join the session' }).click()
  await page.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
}

/**
 * Resolves once the page is laid out at `width` px: the viewport has that width and the page's
 * own width holds still from one animation frame to the next (components that follow their size
 * have re-rendered).
 * @param {import('playwright-core').Page} page
 * @param {number} width
 */
export async function laidOutAt(page, width) {
  await page.waitForFunction((w) => window.innerWidth === w, width)
  const deadline = Date.now() + 5_000
  const holdsStill = () =>
    new Promise((resolve) => {
      const before = document.documentElement.scrollWidth
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(document.documentElement.scrollWidth === before)))
    })
  while (!(await page.evaluate(holdsStill))) {
    if (Date.now() > deadline) throw new Error(`the page is still changing width 5 s after a resize to ${width} px`)
  }
}

/** Whether the page is wider than its viewport (a layout break). @param {import('playwright-core').Page} page */
export async function overflowsHorizontally(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
}
