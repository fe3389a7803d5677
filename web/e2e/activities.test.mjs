// @ts-check
// Reactions and word clouds: the trainer offers two reactions, a phone taps them (and too fast),
// the presenter and the audience screen count them; a word cloud gathers words from two phones
// (two spellings of one word fold into one), the trainer hides a word and shows the cloud, which
// reaches the phones and the projector without it; the report lists both.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditInto, camera, joinRoom, launchBrowser, newPage, startServer, watch } from './harness.mjs'

const screenshot = camera('activities')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {{ page: import('playwright-core').Page, problems: string[] }[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
/** @type {import('playwright-core').Page} */
let audience
/** @type {import('playwright-core').Page} */
let zoe
/** @type {import('playwright-core').Page} */
let liam
let room = { id: '', name: '', link: '' }
const violations = {}
const PROMPT = 'Un mot pour cette formation ?'

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

/** Runs axe on the page; what it finds is reported for every screen at once. */
const audit = (page, name) => auditInto(violations, page, name)

const join = (page, first, last, fr = false) => joinRoom(page, room.link, first, last, fr)

/** Resolves once the count shown for `reaction` in `scope` (a selector) reads `count`. */
async function counted(page, scope, reaction, count) {
  await page.waitForFunction(
    ([selector, n]) => document.querySelector(selector)?.textContent === n,
    [`${scope} [data-reaction="${reaction}"] .reaction-count`, String(count)],
  )
}

/** A phone's word cloud card, named by its question. @param {import('playwright-core').Page} page */
const cloudCard = (page) => page.getByRole('region', { name: PROMPT })

/** Sends a word from a phone's cloud card and waits for its count of words sent to read `sent`. */
async function sendWord(page, label, send, word, sent) {
  await cloudCard(page).getByRole('textbox', { name: label }).fill(word)
  await cloudCard(page).getByRole('button', { name: send }).click()
  await cloudCard(page).getByText(sent).waitFor()
}

function step(name, run) {
  it(name, async () => {
    try {
      await run()
    } catch (error) {
      for (const [i, c] of clients.entries()) await screenshot(c.page, `failed-page-${i}`).catch(() => {})
      if (audience) await screenshot(audience, 'failed-audience').catch(() => {})
      throw error
    }
  })
}

describe('reactions and word clouds', { timeout: 300_000 }, () => {
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
    const opening = trainer.context().waitForEvent('page')
    await trainer.getByRole('button', { name: 'Open audience screen' }).click()
    audience = await opening
    watch(audience, server.url, clients[0].problems)
    await audience.waitForURL(`**/present/${room.name}`)
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

  step('no reaction is offered at first: the phones show none', async () => {
    await trainer.getByRole('tab', { name: 'Settings' }).click()
    const none = trainer.getByRole('button', { name: 'None', exact: true })
    assert.equal(await none.getAttribute('aria-pressed'), 'true')
    await trainer.getByText('Participants cannot react for now.').waitFor()
    assert.equal(await zoe.getByRole('region', { name: 'Réagir' }).count(), 0)
    assert.equal(await trainer.getByRole('list', { name: 'Reactions received' }).count(), 0)
  })

  step('the trainer offers two reactions; a phone taps them, too fast once', async () => {
    await trainer.getByRole('button', { name: 'Applause' }).click()
    await trainer.getByRole('button', { name: 'Applause', pressed: true }).waitFor()
    await trainer.getByRole('button', { name: 'Slower, please' }).click()
    await trainer.getByRole('button', { name: 'Slower, please', pressed: true }).waitFor()
    assert.equal(await trainer.getByRole('button', { name: 'None', exact: true }).getAttribute('aria-pressed'), 'false')

    const bar = zoe.getByRole('region', { name: 'Réagir' })
    await bar.getByRole('button', { name: 'Plus lentement' }).waitFor()
    assert.deepEqual(await bar.getByRole('button').evaluateAll((all) => all.map((b) => b.getAttribute('aria-label'))), [
      'Applaudissements',
      'Plus lentement',
    ])
    await audit(zoe, 'participant: reactions')
    await screenshot(zoe, 'reactions-bar')
    const clap = bar.getByRole('button', { name: 'Applaudissements' })
    const slower = bar.getByRole('button', { name: 'Plus lentement' })
    for (let i = 0; i < 3; i++) await clap.tap()
    for (let i = 0; i < 2; i++) await slower.tap()
    // Five in five seconds is the most: the sixth is refused, and the bar rests a moment.
    await clap.tap()
    await zoe.getByText('Trop à la fois : patientez quelques secondes.').waitFor()
    assert.equal(await clap.isDisabled(), true)
    assert.equal(await slower.isDisabled(), true)

    await counted(trainer, '.stage', 'clap', 3)
    await counted(trainer, '.stage', 'slower', 2)
    await counted(audience, '.audience', 'clap', 3)
    await counted(audience, '.audience', 'slower', 2)
    await audit(trainer, 'presenter: reactions')
    await screenshot(trainer, 'presenter-reactions')
    await screenshot(audience, 'audience-reactions')
    // The bar comes back by itself.
    await zoe.waitForFunction(() =>
      [...document.querySelectorAll('.reaction-button')].every((b) => !(/** @type {HTMLButtonElement} */ (b).disabled)),
    )
    assert.equal(await liam.getByRole('region', { name: 'React' }).getByRole('button').count(), 2)
  })

  step('a word cloud: two phones send words, one spelt two ways', async () => {
    await trainer.getByRole('tab', { name: 'Cloud' }).click()
    await trainer.getByLabel('Question for the class').fill(PROMPT)
    await trainer.getByLabel('Words per participant').selectOption('2')
    await trainer.getByRole('button', { name: 'Start the word cloud' }).click()
    await trainer.getByText('Only you see it').waitFor()

    await zoe.getByRole('heading', { name: PROMPT }).waitFor()
    await zoe.getByText('Le nuage apparaîtra ici quand le formateur le montrera.').waitFor()
    await sendWord(zoe, 'Votre mot', 'Envoyer', 'Écoute', '1 mot envoyé sur 2')
    // The same word again, in capitals: refused, said in place.
    await cloudCard(zoe).getByRole('textbox', { name: 'Votre mot' }).fill('ÉCOUTE')
    await cloudCard(zoe).getByRole('button', { name: 'Envoyer' }).click()
    await zoe.getByRole('alert').filter({ hasText: 'Vous avez déjà envoyé ce mot.' }).waitFor()
    assert.equal(await zoe.getByText('1 mot envoyé sur 2').count(), 1)

    await liam.getByRole('heading', { name: PROMPT }).waitFor()
    await sendWord(liam, 'Your word', 'Send', 'ecoute', '1 of 2 words sent')
    await sendWord(liam, 'Your word', 'Send', 'Patience', '2 of 2 words sent')
    await liam.getByText('All your words are sent. Thank you!').waitFor()
    assert.equal(await liam.getByRole('textbox', { name: 'Your word' }).count(), 0, 'no more words to send')

    // Folded into one word, shown as first sent, counted twice.
    await trainer.getByRole('button', { name: 'Écoute 2 (hide)' }).waitFor()
    await trainer.getByText('2 contributors · 2 different words').waitFor()
    await audit(trainer, 'presenter: word cloud')
    await audit(zoe, 'participant: word cloud, not shown')
    await screenshot(trainer, 'presenter-cloud')
  })

  step('the trainer hides a word and shows the cloud: the class never sees that word', async () => {
    await trainer.getByRole('button', { name: 'Patience 1 (hide)' }).click()
    await trainer.getByRole('button', { name: 'Patience 1 (hidden, show again)' }).waitFor()
    await trainer.getByRole('button', { name: 'Show to the class' }).click()
    await trainer.getByText('Shown to the class').waitFor()

    const zoeCloud = zoe.getByRole('list', { name: 'Mots du nuage' })
    await zoeCloud.getByText('Écoute').waitFor()
    assert.equal(await zoeCloud.getByText('Patience').count(), 0, 'the hidden word stays off the phones')
    const liamCloud = liam.getByRole('list', { name: 'Words of the cloud' })
    await liamCloud.getByText('Écoute').waitFor()
    assert.equal(await liamCloud.getByText('Patience').count(), 0)

    await audience.getByRole('heading', { name: PROMPT }).waitFor()
    const projected = audience.getByRole('list', { name: 'Words of the cloud' })
    await projected.getByText('Écoute').waitFor()
    assert.equal(await projected.getByText('Patience').count(), 0, 'the hidden word stays off the projector')
    await audit(zoe, 'participant: word cloud shown')
    await audit(audience, 'audience: word cloud')
    await screenshot(zoe, 'participant-cloud')
    await screenshot(audience, 'audience-cloud')

    await trainer.getByRole('button', { name: 'Stop showing' }).click()
    await zoe.getByText('Le nuage apparaîtra ici quand le formateur le montrera.').waitFor()
    await audience.getByRole('heading', { name: PROMPT }).waitFor({ state: 'detached' })
  })

  step('the cloud ends; the report lists the reactions and the cloud', async () => {
    await trainer.getByRole('button', { name: 'End the word cloud' }).click()
    await zoe.getByRole('heading', { name: PROMPT }).waitFor({ state: 'detached' })
    await trainer.getByRole('button', { name: 'Start the word cloud' }).waitFor()

    await trainer.getByRole('button', { name: 'End session' }).click()
    await trainer.getByRole('dialog', { name: 'End the session?' }).getByRole('button', { name: 'End session' }).click()
    await trainer.waitForURL('**/sessions/**')
    const reactions = trainer.getByRole('region', { name: 'Reactions' })
    await reactions.waitFor()
    assert.equal(await reactions.locator('[data-reaction="clap"] dd').textContent(), '3')
    assert.equal(await reactions.locator('[data-reaction="slower"] dd').textContent(), '2')
    const perMinute = await reactions
      .getByRole('table')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))))
    const summed = perMinute.reduce((sum, row) => sum.map((n, i) => n + row[i]), [0, 0])
    assert.deepEqual(summed, [3, 2], 'the minutes add up to the totals (applause, slower)')

    const clouds = trainer.getByRole('region', { name: 'Word clouds' })
    const cloud = clouds.getByRole('article', { name: PROMPT })
    await cloud.getByText('2 contributors').waitFor()
    assert.deepEqual(
      await cloud
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))),
      [
        ['Écoute', '2'],
        ['Patience · hidden by the trainer', '1'],
      ],
    )
    await audit(trainer, 'report')
    await screenshot(trainer, 'report')
    assert.deepEqual(violations, {})
  })
})
