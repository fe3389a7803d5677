// @ts-check
// Issue 20: whatever a capsule holds, the browsers of a room talk to the server only. Every page
// a trainer or a participant opens carries the Content-Security-Policy, works under it (no
// violation from the UI or tldraw), and sends every request and socket to the server's origin;
// an external image or frame put into a page anyway is blocked by the browser, never fetched.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { camera, launchBrowser, newPage, startServer } from './harness.mjs'

const screenshot = camera('content')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof newPage>>[]} */
const clients = []
/** Every request and socket opened, by any page. */
const requested = new Set()
/** Requests the browser really sent elsewhere (caught before they leave, and aborted). */
const leaving = []
/** `securitypolicyviolation` events: `page blocked-uri (directive)`. */
const violations = []

async function client(options) {
  const created = await newPage(browser, server.url, options)
  const { context, page } = created
  context.setDefaultTimeout(20_000)
  await context.addInitScript(() => {
    // @ts-ignore
    window.__PRATICO_E2E__ = true
    // @ts-ignore
    window.__violations = []
    document.addEventListener('securitypolicyviolation', (e) =>
      // @ts-ignore
      window.__violations.push(`${e.blockedURI} (${e.effectiveDirective})`),
    )
  })
  const origin = new URL(server.url).origin
  await context.route(
    (url) => url.origin !== origin,
    (route) => {
      leaving.push(route.request().url())
      return route.abort()
    },
  )
  page.on('request', (request) => requested.add(request.url()))
  page.on('websocket', (socket) => requested.add(socket.url()))
  clients.push(created)
  return page
}

/** Opens a path, checks that its document carries the policy, and notes its violations later. */
async function open(page, path) {
  const response = await page.goto(path)
  const policy = response?.headers()['content-security-policy'] ?? ''
  assert.match(policy, /default-src 'self'/, `${path}: the policy is sent`)
  assert.match(policy, /frame-src 'none'/, `${path}: the policy is sent`)
}

async function violationsOf(page, name) {
  const found = await page.evaluate(() => /** @type {any} */ (window).__violations)
  violations.push(...found.map((v) => `${name}: ${v}`))
}

describe('what a room makes browsers fetch', { timeout: 180_000 }, () => {
  let room = { id: '', name: '', link: '' }
  let capsule = { id: '', title: '' }
  /** @type {import('playwright-core').Page} */
  let trainer
  /** @type {import('playwright-core').Page} */
  let zoe

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await open(trainer, '/')
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    await trainer.request.post('/api/auth/signup', { data: signup })
    ;[capsule] = await (await trainer.request.get('/api/capsules')).json()
    room = await (await trainer.request.post('/api/rooms', { data: { capsule_id: capsule.id } })).json()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('the trainer’s pages work under the policy and fetch from the server only', async () => {
    await open(trainer, '/')
    await trainer.getByText(capsule.title).first().waitFor()
    await violationsOf(trainer, 'capsules')
    await open(trainer, `/capsules/${capsule.id}/edit`)
    await trainer.locator('.tl-container').first().waitFor()
    await trainer.waitForFunction(() => /** @type {any} */ (window).__tldrawEditor?.getCurrentPage() !== undefined)
    await screenshot(trainer, 'editor')
    await violationsOf(trainer, 'editor')
    await open(trainer, `/live/${room.id}`)
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    await trainer.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
    await screenshot(trainer, 'presenter')
    await violationsOf(trainer, 'presenter')
    await open(trainer, `/present/${room.name}`)
    await trainer.locator('.tl-container').first().waitFor()
    await screenshot(trainer, 'audience')
    await violationsOf(trainer, 'audience')
  })

  it('a participant’s page works under the policy and fetches from the server only', async () => {
    zoe = await client({ phone: true, locale: 'fr-FR' })
    await open(zoe, new URL(room.link).pathname)
    await zoe.getByLabel('Prénom').fill('Zoé')
    await zoe.getByLabel('Nom', { exact: true }).fill('Durand')
    await zoe.getByRole('button', { name: /Rejoindre/ }).click()
    await zoe.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
    await screenshot(zoe, 'participant')
    await violationsOf(zoe, 'participant')
  })

  it('every request went to the server, and the UI itself broke no rule of the policy', () => {
    const origin = new URL(server.url)
    const elsewhere = [...requested].filter((url) => {
      if (/^(data|blob):/.test(url)) return false
      return new URL(url).host !== origin.host
    })
    assert.deepEqual(leaving, [], 'no request left the browser for another host')
    assert.deepEqual(elsewhere, [], 'every request and socket goes to the server')
    assert.ok(
      [...requested].some((url) => url.startsWith('ws://')),
      'the sockets were seen',
    )
    assert.deepEqual(violations, [], 'the UI works within its policy')
    assert.deepEqual(
      clients.flatMap((c) => c.problems),
      [],
      'no page error, no request leaving the server',
    )
  })

  it('an outside image, frame or connection put into a page is blocked, never fetched', async () => {
    const blocked = await zoe.evaluate(async () => {
      const w = /** @type {any} */ (window)
      w.__violations = []
      const img = document.createElement('img')
      img.src = 'https://images.example.org/tracker.png'
      const frame = document.createElement('iframe')
      frame.src = 'https://www.youtube.com/embed/dQw4w9WgXcQ'
      const page = document.createElement('iframe')
      page.src = 'data:text/html,<script>parent.postMessage("ran", "*")</script>'
      document.body.append(img, frame, page)
      const fetched = await fetch('https://api.example.org/collect').then(
        () => 'fetched',
        () => 'refused',
      )
      await new Promise((resolve) => setTimeout(resolve, 500))
      return { fetched, violations: w.__violations }
    })
    assert.equal(blocked.fetched, 'refused')
    // Chromium reports a blocked frame by its origin only, and a `data:` one as blank.
    const expected = [
      'https://images.example.org/tracker.png (img-src)',
      'https://www.youtube.com (frame-src)',
      ' (frame-src)',
      'https://api.example.org/collect (connect-src)',
    ]
    assert.deepEqual(blocked.violations.sort(), expected.sort())
    assert.deepEqual(leaving, [], 'the browser sent none of them')
  })
})
