// @ts-check
// The trainer's controls seen from the participants' side: chat, free navigation, renaming
// the link, lock, removal and ban; a server restart that everyone rides out; a GIFT import.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fixture, launchBrowser, newPage, camera, startServer } from './harness.mjs'

const screenshot = camera('controls')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof newPage>>[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
/** @type {import('playwright-core').Page} */
let ines
let room = { id: '', link: '' }

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

async function join(page, first, last) {
  await page.goto(room.link)
  await page.getByLabel('First name').fill(first)
  await page.getByLabel('Last name').fill(last)
  await page.getByRole('button', { name: 'Join the session' }).click()
}

function step(name, run) {
  it(name, async () => {
    try {
      await run()
    } catch (error) {
      for (const [i, c] of clients.entries()) await screenshot(c.page, `failed-page-${i}`).catch(() => {})
      throw error
    }
  })
}

describe('the trainer’s controls', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await trainer.goto(server.url)
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    await trainer.request.post('/api/auth/signup', { data: signup })
    const [capsule] = await (await trainer.request.get('/api/capsules')).json()
    room = await (await trainer.request.post('/api/rooms', { data: { capsule_id: capsule.id } })).json()
    await trainer.goto(`${server.url}/live/${room.id}`)
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    ines = await client({ phone: true })
    await join(ines, 'Inès', 'Roy')
    // The canvas fully loaded (tldraw fetches its translations as it starts).
    await ines.locator('.tl-container').getByText('Welcome to the course!').first().waitFor()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    assert.deepEqual(
      clients.flatMap((c) => c.problems),
      [],
    )
  })

  step('chat: a participant writes, everyone reads, the trainer deletes', async () => {
    await ines.getByLabel('Write a message').fill('Hello everyone')
    await ines.getByRole('button', { name: 'Send' }).click()
    await trainer.getByRole('tab', { name: /Chat/ }).click()
    await trainer.getByRole('log').getByText('Hello everyone').waitFor()
    await trainer.getByRole('button', { name: 'Delete the message from Inès Roy' }).click()
    await ines.getByRole('log').getByText('Hello everyone').waitFor({ state: 'detached' })

    await trainer.getByRole('tab', { name: 'Settings' }).click()
    await trainer.getByRole('switch', { name: 'Chat' }).click()
    await ines.getByText('The chat is off.').waitFor()
  })

  step('free navigation: a participant moves alone, the trainer brings everyone back', async () => {
    await trainer.getByRole('switch', { name: 'Navigation' }).click()
    await ines.getByRole('button', { name: 'Next page' }).click()
    await ines.getByText('Page 2 of 5').waitFor()
    await ines.getByRole('button', { name: 'Next page' }).click()
    await ines.getByText('Page 3 of 5').waitFor()
    await trainer.getByRole('button', { name: /Conclusion/ }).click()
    await ines.getByText('Page 5 of 5').waitFor()
    await screenshot(ines, 'free-navigation')
  })

  step('renaming the link moves participants to the new address', async () => {
    await trainer.getByRole('button', { name: 'Rename link' }).click()
    await trainer.getByLabel('New name').fill('atelier-code')
    await trainer.getByRole('button', { name: 'Save', exact: true }).click()
    await trainer.getByTestId('room-link').filter({ hasText: '/r/atelier-code' }).waitFor()
    await ines.waitForURL('**/r/atelier-code')
    room.link = room.link.replace(/[^/]+$/, 'atelier-code')
  })

  step('a locked room turns newcomers away until it opens', async () => {
    await trainer.getByRole('button', { name: 'Lock', exact: true }).click()
    const late = await client({ phone: true })
    await join(late, 'Léo', 'Petit')
    await late.getByRole('heading', { name: 'Room locked' }).waitFor()
    await screenshot(late, 'locked')
    await trainer.getByRole('button', { name: 'Unlock' }).click()
    await late.getByRole('button', { name: 'Try again' }).click()
    await late.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    await trainer.getByRole('tab', { name: 'People 2/2' }).waitFor()
    await late.locator('.tl-container').waitFor()
    // Its canvas done loading, so the restart below does not cut tldraw's own start-up fetches.
    await late.waitForLoadState('networkidle')
  })

  step('a server restart: participants reconnect by themselves to the same seat', async () => {
    await server.restart()
    await ines.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 })
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 })
    await trainer.getByRole('tab', { name: 'People 2/2' }).waitFor()
    await ines.getByText('Page 5 of 5').waitFor()
  })

  step('removing and banning', async () => {
    await trainer.getByRole('tab', { name: /People/ }).click()
    await trainer.getByRole('button', { name: 'Remove Inès Roy' }).click()
    await trainer.getByRole('dialog').getByRole('button', { name: 'Remove' }).click()
    await ines.getByRole('heading', { name: 'You were removed' }).waitFor()
    await ines.getByRole('button', { name: 'Join again' }).click()
    await ines.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    await trainer.getByRole('button', { name: 'Ban Inès Roy' }).click()
    await trainer.getByRole('dialog').getByRole('button', { name: 'Ban' }).click()
    await ines.getByRole('heading', { name: 'Access refused' }).waitFor()
    await ines.reload()
    await ines.getByLabel('First name').fill('Inès')
    await ines.getByLabel('Last name').fill('Roy')
    await ines.getByRole('button', { name: 'Join the session' }).click()
    await ines.getByText('You cannot join this session.').waitFor()
  })

  step('a quiz imported from GIFT, with what was skipped', async () => {
    await trainer.goto(`${server.url}/quizzes`)
    await trainer.getByRole('button', { name: 'Import GIFT' }).click()
    const dialog = trainer.getByRole('dialog', { name: 'Import a quiz in GIFT format' })
    // Picked as a file: `moodle__examples.gift.txt` is titled `moodle__examples`.
    await dialog.locator('input[type=file]').setInputFiles(fixture('gift/moodle__examples.gift.txt'))
    await dialog.getByLabel('GIFT text').filter({ hasText: '::' }).waitFor()
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'moodle__examples')
    await dialog.getByRole('button', { name: 'Import' }).click()
    await dialog.getByText(/questions imported/).waitFor()
    // What became of each question left out or changed, in words, with its line.
    await dialog.getByText(/^Line 55: skipped a matching question/).waitFor()
    await dialog.getByText(/^Line 76: 1 partly right answer\(s\) left out/).waitFor()
    await screenshot(trainer, 'gift-import')
    await dialog.getByRole('button', { name: 'Open the quiz' }).click()
    await trainer.getByRole('heading', { name: 'Edit quiz' }).waitFor()
    assert.equal(await trainer.getByLabel('Title').inputValue(), 'moodle__examples')
    // Short answers (line 14) and numerical questions (line 16, a range on line 74) came in as
    // their own kinds, and the editor shows them so.
    const short = trainer.getByRole('article', { name: 'Question 4', exact: true })
    assert.equal(await short.getByLabel('Kind of question').inputValue(), 'short')
    assert.equal(await short.getByRole('textbox', { name: 'Accepted answer 2', exact: true }).inputValue(), 'nobody')
    const numeric = trainer.getByRole('article', { name: 'Question 5', exact: true })
    assert.equal(await numeric.getByLabel('Kind of question').inputValue(), 'numeric')
    assert.equal(await numeric.getByLabel('Expected number').inputValue(), '1822')
    assert.equal(await numeric.getByLabel('Tolerance (±)').inputValue(), '1')
    const range = trainer.getByRole('article', { name: 'Question 16', exact: true })
    assert.equal(await range.getByRole('button', { name: 'A range' }).getAttribute('aria-pressed'), 'true')
    assert.equal(await range.getByLabel('From', { exact: true }).inputValue(), '3.141')
    assert.equal(await range.getByLabel('To', { exact: true }).inputValue(), '3.142')
  })
})
