// @ts-check
// An open question shown as a word cloud: two participants (a French phone, an English laptop)
// answer the same thing written differently; the trainer's answers, a list with names at
// first, become one word of the cloud counted twice (folded by case, accents and spaces),
// without names, and back to the list.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditInto, camera, joinRoom, launchBrowser, newPage, startServer } from './harness.mjs'

const screenshot = camera('open-cloud')
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof newPage>>[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
const violations = {}

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

/** Types `text` as the answer to the open question and sends it. */
async function answer(page, text, fr) {
  await page.getByRole('textbox', { name: fr ? 'Votre réponse' : 'Your answer' }).fill(text)
  await page.getByRole('button', { name: fr ? 'Envoyer ma réponse' : 'Send my answer' }).click()
}

describe('an open question shown as a word cloud', { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await trainer.goto(server.url)
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    assert.equal((await trainer.request.post('/api/auth/signup', { data: signup })).status(), 201)
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

  it('the answers fold into one word of the cloud, without names', async () => {
    const question = { kind: 'open', prompt: 'What would help you most this afternoon?', time_limit_s: 120 }
    const created = await trainer.request.post('/api/quizzes', { data: { title: 'Check-in', questions: [question] } })
    assert.equal(created.status(), 201)
    const quiz = await created.json()
    const [capsule] = await (await trainer.request.get('/api/capsules')).json()
    const launched = await trainer.request.post('/api/rooms', { data: { capsule_id: capsule.id, quiz_id: quiz.id } })
    const room = await launched.json()
    await trainer.goto(`/live/${room.id}`)
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    const zoe = await client({ phone: true, locale: 'fr-FR' })
    await joinRoom(zoe, room.link, 'Zoé', 'Durand', true)
    const liam = await client({ locale: 'en-US' })
    await joinRoom(liam, room.link, 'Liam', 'Smith')

    await trainer.getByRole('tab', { name: 'Quiz' }).click()
    await trainer.getByLabel('Quiz to run').selectOption({ label: 'Check-in (1 question)' })
    await trainer.getByRole('button', { name: 'Start the quiz' }).click()
    await trainer.getByRole('button', { name: 'Open the first question' }).click()
    await zoe.getByText(question.prompt).waitFor()
    await liam.getByText(question.prompt).waitFor()
    await answer(zoe, 'Une pause café', true)
    await answer(liam, '  une PAUSE   cafe ', false)

    const list = trainer.getByRole('list', { name: 'Answers' })
    await list.getByRole('listitem').filter({ hasText: 'Zoé Durand' }).waitFor()
    await list.getByRole('listitem').filter({ hasText: 'Liam Smith' }).waitFor()
    const toggle = trainer.getByRole('button', { name: 'Show as a cloud' })
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false')
    await toggle.click()
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true')
    const cloud = trainer.getByRole('list', { name: 'The answers as a word cloud' })
    await cloud.waitFor()
    assert.deepEqual(await cloud.locator('.cloud-word-text').allTextContents(), ['Une pause café'])
    assert.equal((await cloud.locator('.word-count').textContent())?.trim(), '2')
    assert.equal(await cloud.getByText('Zoé Durand').count(), 0, 'the cloud shows no names')
    await auditInto(violations, trainer, 'presenter: open answers as a cloud')
    await screenshot(trainer, 'presenter-cloud')

    await toggle.click()
    await list.getByRole('listitem').filter({ hasText: 'Liam Smith' }).waitFor()
    assert.deepEqual(violations, {}, 'no accessibility violation')
  })
})
