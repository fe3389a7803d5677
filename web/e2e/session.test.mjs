// @ts-check
// A whole session in real browsers against the real binary: a trainer signs up, imports a
// capsule, writes a quiz and launches; two participants join from phones (one in French, one
// in English); pages, the quiz, a reload mid-quiz, the end and the report.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  auditInto,
  camera,
  fixture,
  laidOutAt,
  launchBrowser,
  newPage,
  overflowsHorizontally,
  startServer,
} from './harness.mjs'

const screenshot = camera('session')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof newPage>>[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
/** @type {import('playwright-core').Page} */
let zoe
/** @type {import('playwright-core').Page} */
let liam
let link = ''
const violations = {}

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

/** Runs axe on the page; what it finds is reported for every screen at once. */
const audit = (page, name) => auditInto(violations, page, name)

/** Whether the page breaks at 320 px wide; the viewport is put back afterwards. */
async function narrowCheck(page, name) {
  const size = page.viewportSize()
  await page.setViewportSize({ width: 320, height: 640 })
  await laidOutAt(page, 320)
  const broken = await overflowsHorizontally(page)
  await screenshot(page, `${name}-320px`)
  if (size) await page.setViewportSize(size)
  assert.equal(broken, false, `${name} is wider than 320 px`)
}

/** A step of the story; when it fails, every open page is photographed. */
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

describe('a whole session', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    const problems = clients.flatMap((c) => c.problems)
    assert.deepEqual(problems, [], 'no page error, no request leaving the server')
  })

  step('a trainer signs up and finds the sample capsule', async () => {
    await trainer.goto(server.url)
    await trainer.getByRole('heading', { name: 'Create your trainer account' }).waitFor()
    await audit(trainer, 'sign-up')
    await screenshot(trainer, 'sign-up')
    await trainer.getByLabel('Your name').fill('Ana Martin')
    await trainer.getByLabel('E-mail').fill('ana@example.org')
    await trainer.getByLabel('Password').fill('correct horse battery')
    await trainer.getByRole('button', { name: 'Create account' }).click()
    await trainer.waitForURL('**/capsules')
    await trainer.getByRole('link', { name: 'Introduction to programming' }).waitFor()
  })

  step('imports a capsule from a .tldr file', async () => {
    await trainer.locator('input[type=file]').setInputFiles(fixture('tldraw/synthetic-5-pages-fr.tldr'))
    await trainer.getByRole('link', { name: 'Capsule : initiation à la programmation' }).waitFor()
    await trainer.locator('.capsule-card img').nth(1).waitFor()
    await audit(trainer, 'capsules')
    await screenshot(trainer, 'capsules')
    await narrowCheck(trainer, 'capsules')
  })

  step('duplicates the sample capsule and exports it as a .tldr file', async () => {
    await trainer.getByRole('link', { name: 'Introduction to programming' }).click()
    await trainer.getByRole('button', { name: 'Duplicate' }).click()
    await trainer.locator('#capsule-title[value="Introduction to programming (copy)"]').waitFor()
    const href = await trainer.getByRole('link', { name: 'Export (.tldr)' }).getAttribute('href')
    const exported = await trainer.request.get(String(href))
    assert.equal(exported.status(), 200)
    assert.match(exported.headers()['content-disposition'], /attachment; filename=".+\.tldr"/)
    const file = await exported.json()
    assert.equal(file.tldrawFileFormatVersion, 1)
    assert.ok(file.records.some((r) => r.typeName === 'page'))
    await trainer
      .getByRole('link', { name: /Capsules/ })
      .first()
      .click()
    await trainer.getByRole('link', { name: 'Introduction to programming (copy)' }).waitFor()
  })

  step('writes a quiz', async () => {
    await trainer.getByRole('link', { name: 'Quizzes' }).click()
    await trainer.getByRole('button', { name: 'New quiz' }).click()
    await trainer.getByLabel('Title').fill('Warm-up')
    await trainer.getByLabel('Question', { exact: true }).fill('How much is 2 + 2?')
    await trainer.getByLabel('Text of choice A').fill('3')
    await trainer.getByLabel('Text of choice B').fill('4')
    await trainer.getByLabel('B is a right answer').check()
    await trainer.getByRole('button', { name: 'Save' }).first().click()
    await trainer.getByText('Saved.').waitFor()
    assert.match(trainer.url(), /\/quizzes\/[0-9a-f-]{36}$/)
    await audit(trainer, 'quiz editor')
    await screenshot(trainer, 'quiz-editor')
    await narrowCheck(trainer, 'quiz-editor')
  })

  step('launches a session on the imported capsule with that quiz', async () => {
    await trainer.getByRole('link', { name: 'Capsules' }).click()
    const card = trainer.locator('.capsule-card', { hasText: 'Capsule : initiation à la programmation' })
    await card.getByRole('button', { name: 'Launch' }).click()
    const dialog = trainer.getByRole('dialog', { name: 'Launch a session' })
    await dialog.getByLabel('Quiz').selectOption({ label: 'Warm-up' })
    await dialog.getByRole('button', { name: 'Launch the session' }).click()
    await trainer.waitForURL('**/live/**')
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    link = (await trainer.getByTestId('room-link').getAttribute('href')) ?? ''
    assert.match(link, /\/r\/capsule-initiation-a-la-programmation$/)
    await trainer.locator('.slide .tl-container').getByText('Bienvenue à la formation !').first().waitFor()
    await audit(trainer, 'presenter')
    await screenshot(trainer, 'presenter')
  })

  step('two participants join by the link, one in French, one in English', async () => {
    zoe = await client({ phone: true, locale: 'fr-FR' })
    await zoe.goto(link)
    await zoe.getByRole('heading', { name: 'Capsule : initiation à la programmation' }).waitFor()
    await audit(zoe, 'join form')
    await screenshot(zoe, 'join-form')
    await narrowCheck(zoe, 'join-form')
    await zoe.getByLabel('Prénom').fill('Zoé')
    await zoe.getByLabel('Nom', { exact: true }).fill('Durand')
    await zoe.getByRole('button', { name: 'Rejoindre la session' }).click()
    await zoe.locator('.tl-container').getByText('Bienvenue à la formation !').first().waitFor()

    liam = await client({ phone: true, locale: 'en-US' })
    // Liam's phone is seven minutes fast: countdowns must not depend on its clock.
    await liam.addInitScript(() => {
      const fast = 7 * 60_000
      const now = Date.now
      Date.now = () => now() + fast
    })
    await liam.goto(link)
    await liam.getByLabel('First name').fill('Liam')
    await liam.getByLabel('Last name').fill('Smith')
    await liam.getByRole('button', { name: 'Join the session' }).click()
    await liam.locator('.tl-container').getByText('Bienvenue à la formation !').first().waitFor()

    await trainer.getByRole('tab', { name: /People/ }).click()
    await trainer.getByRole('tab', { name: 'People 2/2' }).waitFor()
    await trainer.locator('.people').getByText('Zoé Durand').waitFor()
    await trainer.locator('.people').getByText('Liam Smith').waitFor()
    await audit(zoe, 'participant')
    await screenshot(zoe, 'participant-joined')
    await narrowCheck(liam, 'participant')
  })

  step('a page change shows on the participants’ canvas', async () => {
    await trainer.getByRole('button', { name: /Les bases/ }).click()
    for (const page of [zoe, liam]) {
      await page.locator('.tl-container').getByText('Les bases : variables et types').first().waitFor()
    }
    await zoe.getByText('Page 2 sur 5').waitFor()
    await liam.getByText('Page 2 of 5').waitFor()
    await screenshot(trainer, 'presenter-page-2')
    await screenshot(liam, 'participant-page-2')
  })

  step('runs the quiz to the reveal; a reload mid-quiz keeps the seat', async () => {
    await trainer.getByRole('tab', { name: 'Quiz' }).click()
    await trainer.getByRole('button', { name: 'Start the quiz' }).click()
    await trainer.getByRole('button', { name: 'Open the first question' }).click()

    // Liam reloads while the question is open: he comes back to his seat and may still answer.
    await liam.getByText('How much is 2 + 2?').waitFor()
    await liam.reload()
    await liam.getByText('How much is 2 + 2?').waitFor()
    // Counted from the time left the server sends, not from its clock's deadline.
    const timer = await liam.getByRole('timer').getAttribute('aria-label')
    const left = Number(timer?.match(/(\d+) seconds? left/)?.[1])
    assert.ok(left > 5 && left <= 30, `time left after the reload on a fast clock: ${timer}`)
    await trainer.getByRole('tab', { name: 'People 2/2' }).waitFor()

    await zoe.getByText('How much is 2 + 2?').waitFor()
    await screenshot(zoe, 'question')
    // One tap answers a single-choice question.
    await zoe.locator('.choice', { hasText: '4' }).click()
    await zoe.getByText('Réponse envoyée ✓').waitFor()
    await trainer.getByText('1 / 2 answered').waitFor()
    await screenshot(trainer, 'presenter-question')

    await liam.locator('.choice', { hasText: '3' }).click()
    await trainer.getByText('2 / 2 answered').waitFor()

    await trainer.getByRole('button', { name: 'Reveal' }).click()
    await zoe.getByText('Bravo ! +1000 points').waitFor()
    await liam.getByText('Not this time.').waitFor()
    await zoe.getByRole('img', { name: /Réponses/ }).waitFor()
    await trainer.getByRole('img', { name: /Answers\. A\. 3: 1, B\. 4: 1/ }).waitFor()
    await trainer.locator('.leaderboard').getByText('Zoé Durand').waitFor()
    await screenshot(zoe, 'result-right')
    await screenshot(liam, 'result-wrong')
    await screenshot(trainer, 'presenter-results')
    await audit(liam, 'participant results')
    await audit(trainer, 'presenter results')
  })

  step('ends the session and opens the report listing both participants', async () => {
    await trainer.getByRole('button', { name: 'End quiz' }).click()
    await zoe.getByText('Vous terminez n° 1 avec 1000 points.').waitFor()
    await trainer.getByRole('button', { name: 'End session' }).click()
    const dialog = trainer.getByRole('dialog', { name: 'End the session?' })
    await dialog.getByRole('button', { name: 'End session' }).click()
    await trainer.waitForURL('**/sessions/**')
    await zoe.getByRole('heading', { name: 'Session terminée' }).waitFor()
    await liam.getByRole('heading', { name: 'Session ended' }).waitFor()
    for (const name of ['Zoé Durand', 'Liam Smith']) {
      await trainer.getByRole('cell', { name, exact: true }).first().waitFor()
    }
    await screenshot(trainer, 'report')
    await screenshot(zoe, 'participant-ended')
    await audit(trainer, 'report')
    // The printable page opens in the trainer's language, at their browser's clock.
    const printable = await trainer.getByRole('link', { name: 'Printable page' }).getAttribute('href')
    assert.match(printable ?? '', /format=html&lang=en&utc_offset=-?\d+$/)
    const page = await trainer.request.get(printable ?? '')
    assert.equal(page.status(), 200)
    assert.match(await page.text(), /<h2>Attendance sheet<\/h2>/)
    // The spreadsheets too: readable headers saying the clock; the JSON file is saved, not shown.
    const csv = await trainer.getByRole('link', { name: 'CSV' }).getAttribute('href')
    const zipped = await trainer.request.get(csv ?? '')
    assert.equal(zipped.status(), 200)
    const attendance = await trainer.request.get(`${csv}&table=attendance`)
    assert.match(await attendance.text(), /^\uFEFFParticipant id,First name,Last name,First joined at \(UTC/)
    assert.equal(
      await trainer.getByRole('link', { name: 'JSON' }).getAttribute('download'),
      `${link.split('/r/')[1]}-report.json`,
    )
    await trainer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click()
    await trainer.getByRole('link', { name: 'Report' }).waitFor()
    await audit(trainer, 'sessions')
    await screenshot(trainer, 'sessions')
  })

  step('lists older sessions a page at a time', async () => {
    const [capsule] = await (await trainer.request.get('/api/capsules')).json()
    for (let i = 0; i < 50; i += 1) {
      const launched = await trainer.request.post('/api/rooms', { data: { capsule_id: capsule.id } })
      assert.equal(launched.status(), 201)
    }
    await trainer.reload()
    // The 50 newest are the live ones just launched; the session that ended is on page 2.
    await trainer.getByRole('link', { name: 'Present' }).first().waitFor()
    assert.equal(await trainer.getByRole('link', { name: 'Present' }).count(), 50)
    assert.equal(await trainer.getByRole('link', { name: 'Report' }).count(), 0)
    await trainer.getByRole('button', { name: 'Show older sessions' }).click()
    await trainer.getByRole('link', { name: 'Report' }).waitFor()
    assert.equal(await trainer.getByRole('button', { name: 'Show older sessions' }).count(), 0)
    await audit(trainer, 'sessions, two pages')
  })

  step('changes the password from the account menu, then logs out everywhere', async () => {
    const menu = trainer.locator('.account-menu summary')
    await menu.click()
    await trainer.getByRole('button', { name: 'Change password' }).click()
    const dialog = trainer.getByRole('dialog')
    await dialog.getByLabel('Current password').fill('not my password')
    await dialog.getByLabel('New password').fill('a brand new password')
    await dialog.getByRole('button', { name: 'Change password' }).click()
    await dialog.getByText('The current password is wrong.').waitFor()
    await dialog.getByLabel('Current password').fill('correct horse battery')
    await dialog.getByRole('button', { name: 'Change password' }).click()
    await dialog.getByText(/^Password changed/).waitFor()
    await audit(trainer, 'password changed')
    await dialog.getByRole('button', { name: 'Close' }).last().click()
    // Still logged in here.
    assert.equal((await trainer.request.get('/api/me')).status(), 200)
    await menu.click()
    await trainer.getByRole('button', { name: 'Log out everywhere' }).click()
    await trainer.getByRole('dialog').getByRole('button', { name: 'Log out everywhere' }).click()
    await trainer.waitForURL('**/login')
    assert.equal((await trainer.request.get('/api/me')).status(), 401)
    await trainer.getByLabel('E-mail').fill('ana@example.org')
    await trainer.getByLabel('Password').fill('a brand new password')
    await trainer.getByRole('button', { name: 'Log in' }).click()
    await trainer.waitForURL('**/capsules')
  })

  it('the main pages pass axe-core (WCAG 2.1 AA)', () => {
    assert.deepEqual(violations, {})
  })
})
