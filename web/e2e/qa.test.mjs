// @ts-check
// Questions from the class: the trainer moderates them; a phone asks (it waits for approval, seen
// by the trainer only), the trainer approves it, a second phone votes for it (once: the button
// then rests, the count reads 1), the asker cannot vote for their own; the trainer marks it
// answered, which every phone shows; the report lists it with its asker and its vote.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditInto, camera, joinRoom, launchBrowser, newPage, startServer } from './harness.mjs'

const screenshot = camera('qa')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {{ page: import('playwright-core').Page, problems: string[] }[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
/** @type {import('playwright-core').Page} */
let zoe
/** @type {import('playwright-core').Page} */
let liam
let room = { id: '', name: '', link: '' }
const violations = {}
const QUESTION = 'Peut-on rejouer un quiz après la session ?'

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

/** Runs axe on the page; what it finds is reported for every screen at once. */
const audit = (page, name) => auditInto(violations, page, name)

const join = (page, first, last, fr = false) => joinRoom(page, room.link, first, last, fr)

/** A phone's questions card. @param {import('playwright-core').Page} page */
const card = (page, fr = false) =>
  page.getByRole('region', { name: fr ? 'Questions de la salle' : 'Questions from the class' })

/** The question in a list of questions (the trainer's or a phone's). @param {import('playwright-core').Page} page */
const asked = (page) =>
  page.getByRole('list', { name: 'Questions' }).getByRole('listitem').filter({ hasText: QUESTION })

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

describe('questions from the class', { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await trainer.goto(server.url)
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    assert.equal((await trainer.request.post('/api/auth/signup', { data: signup })).status(), 201)
    const [capsule] = await (await trainer.request.get('/api/capsules')).json()
    room = await (await trainer.request.post('/api/rooms', { data: { capsule_id: capsule.id } })).json()
    await trainer.goto(`/live/${room.id}`)
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    zoe = await client({ phone: true, locale: 'fr-FR' })
    await join(zoe, 'Zoé', 'Durand', true)
    liam = await client({ phone: true, locale: 'en-US' })
    await join(liam, 'Liam', 'Smith')
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    assert.deepEqual(
      clients.flatMap((c) => c.problems),
      [],
      'no page error, no request leaving the server',
    )
  })

  step('questions are off at first; the six tabs fit the sidebar at 1366 px', async () => {
    const tabs = trainer.getByRole('tablist', { name: 'Session controls' })
    assert.equal(await tabs.getByRole('tab').count(), 6)
    assert.equal(await tabs.evaluate((list) => list.scrollWidth <= list.clientWidth), true, 'no tab hides off the row')
    await trainer.getByRole('tab', { name: 'Settings' }).click()
    const off = trainer.getByRole('radio', { name: /^Off/ })
    assert.equal(await off.isChecked(), true)
    assert.equal(await card(liam).count(), 0, 'no questions card while questions are off')
  })

  step('the trainer moderates questions; a phone asks one, which waits for approval', async () => {
    // The choice shows once the server has taken it (params_changed), not on the click itself.
    await trainer.getByRole('radio', { name: /^Moderated/ }).click()
    await trainer.getByRole('radio', { name: /^Moderated/, checked: true }).waitFor()
    await card(zoe, true).waitFor()
    await card(liam).waitFor()
    await card(zoe, true).getByText('Le formateur lit les questions d’abord', { exact: false }).waitFor()
    await audit(trainer, 'presenter: settings')

    await card(zoe, true).getByLabel('Votre question').fill(QUESTION)
    await card(zoe, true).getByRole('button', { name: 'Envoyer' }).click()
    await card(zoe, true)
      .getByRole('status')
      .filter({ hasText: 'Votre question est envoyée : elle s’affichera quand le formateur l’aura approuvée.' })
      .waitFor()
    assert.equal(await card(zoe, true).getByLabel('Votre question').inputValue(), '')
    await audit(zoe, 'participant: question sent')
    await screenshot(zoe, 'participant-asked')

    // Waiting for approval: only the trainer sees it, counted on the tab.
    const tab = trainer.getByRole('tab', { name: 'Questions 1 waiting for approval' })
    await tab.waitFor()
    await tab.click()
    const item = asked(trainer)
    await item.getByText('Waiting for approval').waitFor()
    await item.getByText('Asked by Zoé Durand').waitFor()
    await item.getByText('0 votes').waitFor()
    assert.equal(await card(liam).getByText('No question yet: be the first to ask!').count(), 1)
    assert.equal(await asked(liam).count(), 0, 'the class does not see a question waiting')
    await audit(trainer, 'presenter: question waiting')
    await screenshot(trainer, 'presenter-pending')
  })

  step('the trainer approves it; another phone votes once, the asker cannot', async () => {
    await asked(trainer).getByRole('button', { name: 'Approve' }).click()
    await asked(trainer).getByText('Open', { exact: true }).waitFor()
    await trainer.getByRole('tab', { name: 'Questions', exact: true }).waitFor()

    const mine = asked(zoe).getByRole('button', { name: 'La vôtre' })
    await mine.waitFor()
    assert.equal(await mine.isDisabled(), true, 'no vote for one’s own question')
    // "It will show once approved" has done its job once it shows.
    await card(zoe, true).getByText('Votre question est envoyée', { exact: false }).waitFor({ state: 'detached' })

    const vote = asked(liam).getByRole('button', { name: `Vote for: ${QUESTION}` })
    await vote.click()
    const voted = asked(liam).getByRole('button', { name: 'Voted' })
    await voted.waitFor()
    assert.equal(await voted.isDisabled(), true, 'one vote per question')
    await asked(liam).getByText('1 vote', { exact: true }).waitFor()
    await asked(zoe).getByText('1 vote', { exact: true }).waitFor()
    await asked(trainer).getByText('1 vote', { exact: true }).waitFor()
    await audit(liam, 'participant: voted')
    await audit(zoe, 'participant: own question')
    await screenshot(liam, 'participant-voted')
  })

  step('the trainer marks it answered: the phones say so', async () => {
    await asked(trainer).getByRole('button', { name: 'Answered' }).click()
    await asked(trainer).getByRole('button', { name: 'Answered' }).waitFor({ state: 'detached' })
    await asked(trainer).getByText('Answered', { exact: true }).waitFor()
    await asked(liam).getByText('Answered', { exact: true }).waitFor()
    await asked(zoe).getByText('Répondue', { exact: true }).waitFor()
    await audit(trainer, 'presenter: answered')
    await audit(liam, 'participant: answered')
    await screenshot(trainer, 'presenter-answered')
    await screenshot(zoe, 'participant-answered')
  })

  step('the report lists the question, its asker and its vote', async () => {
    await trainer.getByRole('button', { name: 'End session' }).click()
    await trainer.getByRole('dialog', { name: 'End the session?' }).getByRole('button', { name: 'End session' }).click()
    await trainer.waitForURL('**/sessions/**')
    const section = trainer.getByRole('region', { name: 'Questions from the class' })
    await section.getByRole('table').waitFor()
    assert.deepEqual(
      await section
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))),
      [[QUESTION, 'Zoé Durand', '1', 'answered']],
    )
    await audit(trainer, 'report')
    await screenshot(trainer, 'report')
    assert.deepEqual(violations, {})
  })
})
