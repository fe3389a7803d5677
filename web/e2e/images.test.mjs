// @ts-check
// Images in questions and choices in real browsers: the trainer adds an image to a question and
// to its choices in the editor (a file that is not an image is refused in words), runs the
// quiz; a participant on a French phone and one on an English laptop see the images, loaded
// with their room and resume token, and the answer buttons do not move when the images arrive
// (measured before and after, the images held back until then); the presenter and the
// projector show them too; someone without a seat gets 404 for them; the report names them.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deflateSync } from 'node:zlib'
import { auditInto, camera, joinRoom, launchBrowser, newPage, startServer, watch } from './harness.mjs'

const screenshot = camera('images')
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
let max
/** @type {import('playwright-core').Page} */
let audience
let link = ''
/** The quiz's images (`/api/assets/{id}`), as saved. */
const quizImages = new Set()
const violations = {}
/** Opens the gate the participants' image requests wait at. */
let releaseImages = () => {}
const imagesReleased = new Promise((resolve) => (releaseImages = () => resolve(undefined)))

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  clients.push(created)
  return created.page
}

const audit = (page, name) => auditInto(violations, page, name)

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

// --- image files, made here ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** @param {Buffer} bytes */
function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A `width` × `height` PNG of one colour (`rgb`): a real file a browser decodes. */
function png(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())])
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const svg = (fill) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"><rect width="40" height="30" fill="${fill}"/>` +
      `<circle cx="20" cy="15" r="9" fill="#fff"/></svg>`,
  )

/** A tall photo for the question: another shape than its box. */
const QUESTION_PNG = { name: 'question.png', mimeType: 'image/png', buffer: png(120, 360, [40, 90, 200]) }
const CAT_SVG = { name: 'cat.svg', mimeType: 'image/svg+xml', buffer: svg('#b14a1a') }
const DOG_PNG = { name: 'dog.png', mimeType: 'image/png', buffer: png(400, 100, [27, 122, 80]) }
const NOT_AN_IMAGE = { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('<html>not an image</html>') }

/** The boxes of the question's answer buttons and of the question itself, as [x, y, w, h]. */
async function answerBoxes(page) {
  return page.locator('.question').evaluate((form) =>
    [form, ...form.querySelectorAll('.choice')].map((el) => {
      const r = el.getBoundingClientRect()
      return [r.x, r.y, r.width, r.height].map((n) => Math.round(n * 10) / 10)
    }),
  )
}

/** The question's images: how many there are, and how many the browser has decoded. */
async function imagesState(page, root = '.question') {
  return page.locator(root).evaluate((el) => {
    const images = [...el.querySelectorAll('img')]
    return { count: images.length, loaded: images.filter((i) => i.complete && i.naturalWidth > 0).length }
  })
}

async function allLoaded(page, root, count) {
  await page.waitForFunction(
    ([root, count]) => {
      const images = [...(document.querySelector(root)?.querySelectorAll('img') ?? [])]
      return images.length === count && images.every((i) => i.complete && i.naturalWidth > 0)
    },
    [root, count],
  )
}

/**
 * A participant whose requests for the quiz's images wait for `releaseImages()`, so that the
 * layout is measured before they arrive (the deck's own images go as usual).
 */
async function heldBack(options) {
  const page = await client(options)
  await page.context().route('**/api/assets/**', async (route) => {
    if (quizImages.has(new URL(route.request().url()).pathname)) await imagesReleased
    await route.continue()
  })
  return page
}

describe('images in questions and choices', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await trainer.goto(server.url)
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    assert.equal((await trainer.request.post('/api/auth/signup', { data: signup })).status(), 201)
  })

  after(async () => {
    releaseImages()
    await browser?.close()
    await server?.stop()
    assert.deepEqual(
      clients.flatMap((c) => c.problems),
      [],
      'no page error, no request leaving the server',
    )
  })

  step('the trainer adds images to a question and to its choices', async () => {
    await trainer.goto(`${server.url}/quizzes/new`)
    await trainer.getByLabel('Title').fill('Animals')
    const first = trainer.getByRole('article', { name: 'Question 1' })
    await first.getByLabel('Question', { exact: true }).fill('Which one is a cat?')
    await first.getByLabel('Text of choice A').fill('Cat')
    await first.getByLabel('Text of choice B').fill('Dog')
    await first.getByLabel('A is a right answer').check()

    await first.getByLabel('Add an image', { exact: true }).setInputFiles(QUESTION_PNG)
    await first.getByRole('button', { name: 'Remove the image', exact: true }).waitFor()
    // A file that is not an image, whatever its name, is refused in words.
    await first.getByLabel('Add an image to choice A').setInputFiles(NOT_AN_IMAGE)
    await first.getByRole('alert').getByText('This file is not an image').waitFor()
    await first.getByLabel('Add an image to choice A').setInputFiles(CAT_SVG)
    await first.getByLabel('Add an image to choice B').setInputFiles(DOG_PNG)
    // Removed and added again (the same bytes are the same image).
    await first.getByRole('button', { name: 'Remove the image of choice B' }).click()
    await first.getByLabel('Add an image to choice B').setInputFiles(DOG_PNG)
    await first.getByRole('button', { name: 'Remove the image of choice B' }).waitFor()
    assert.equal(await first.getByRole('alert').count(), 0, 'the error went with the next upload')
    await allLoaded(trainer, '.question-list', 3)

    await trainer.getByRole('button', { name: 'Save' }).first().click()
    await trainer.getByText('Saved.').waitFor()
    await trainer.waitForURL(/\/quizzes\/[0-9a-f-]{36}$/)
    await audit(trainer, 'quiz editor with images')
    await screenshot(trainer, 'editor')
    const id = trainer.url().split('/').pop()
    const quiz = await (await trainer.request.get(`/api/quizzes/${id}`)).json()
    const [question] = quiz.questions
    const asset = /^\/api\/assets\/[0-9a-f-]{36}$/
    assert.match(question.image, asset)
    assert.match(question.choices[0].image, asset)
    assert.match(question.choices[1].image, asset)
    for (const image of [question.image, question.choices[0].image, question.choices[1].image]) quizImages.add(image)
    assert.equal(quizImages.size, 3)

    // The preview shows them as participants will.
    await first.getByRole('button', { name: 'Preview' }).click()
    const preview = trainer.getByRole('dialog', { name: 'As participants see it' })
    await allLoaded(trainer, '.preview', 3)
    await screenshot(trainer, 'editor-preview')
    await preview.getByRole('button', { name: 'Close' }).first().click()
  })

  step('launches; a participant on a French phone and one on an English laptop join', async () => {
    await trainer.getByRole('link', { name: 'Capsules' }).click()
    const card = trainer.locator('.capsule-card', { hasText: 'Introduction to programming' })
    await card.getByRole('button', { name: 'Launch' }).click()
    const dialog = trainer.getByRole('dialog', { name: 'Launch a session' })
    await dialog.getByLabel('Quiz').selectOption({ label: 'Animals' })
    await dialog.getByRole('button', { name: 'Launch the session' }).click()
    await trainer.waitForURL('**/live/**')
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    link = (await trainer.getByTestId('room-link').getAttribute('href')) ?? ''

    zoe = await heldBack({ phone: true, locale: 'fr-FR' })
    await joinRoom(zoe, link, 'Zoé', 'Durand', true)
    max = await heldBack({ locale: 'en-US' })
    await joinRoom(max, link, 'Max', 'Weber')
    await trainer.getByRole('tab', { name: 'People 2/2' }).waitFor()
    audience = await trainer.context().newPage()
    watch(audience, server.url, clients[0].problems)
    await audience.goto(`${server.url}/present/${link.split('/r/')[1]}`)
    await audience.locator('.audience').waitFor()
    await trainer.getByRole('tab', { name: 'Quiz' }).click()
    await trainer.getByLabel('Quiz to run').selectOption({ label: 'Animals (1 question)' })
    await trainer.getByRole('button', { name: 'Start the quiz' }).click()
  })

  step('the answer buttons hold still while the images load', async () => {
    await trainer.getByRole('button', { name: 'Open the first question' }).click()
    for (const page of [zoe, max]) {
      await page.getByText('Which one is a cat?').waitFor()
      await page.locator('.question .choice').first().getByText('Cat').waitFor()
    }
    // Each in their language around the trainer's words.
    await zoe.getByText('Touchez votre réponse : elle part aussitôt.').waitFor()
    await max.getByText('Tap your answer: it is sent at once.').waitFor()
    const before = { zoe: await answerBoxes(zoe), max: await answerBoxes(max) }
    for (const page of [zoe, max]) {
      assert.deepEqual(await imagesState(page), { count: 3, loaded: 0 }, 'measured before any image arrived')
    }
    await screenshot(zoe, 'phone-before-images')
    releaseImages()
    await allLoaded(zoe, '.question', 3)
    await allLoaded(max, '.question', 3)
    assert.deepEqual(await answerBoxes(zoe), before.zoe, 'no layout shift on the phone')
    assert.deepEqual(await answerBoxes(max), before.max, 'no layout shift on the laptop')
    // Side by side, two equal cells, on the phone too.
    const [a, b] = before.zoe.slice(1)
    assert.equal(a[1], b[1], 'same row')
    assert.equal(a[2], b[2], 'same width')
    assert.ok(b[0] > a[0] + a[2] - 1, 'B right of A')

    // Loaded with the room and the participant's own resume token.
    const src = await zoe.locator('.question .quiz-image-question img').getAttribute('src')
    const url = new URL(src ?? '', server.url)
    assert.match(url.pathname, /^\/api\/assets\/[0-9a-f-]{36}$/)
    assert.equal(url.searchParams.get('room'), link.split('/r/')[1])
    assert.ok(url.searchParams.get('token'))
    await screenshot(zoe, 'phone-question')
    await screenshot(max, 'laptop-question')
    await audit(zoe, 'phone question with images')
    await audit(max, 'laptop question with images')

    // The presenter and the projector show them (with the trainer's cookie).
    await allLoaded(trainer, '.quiz-controls', 3)
    await allLoaded(audience, '.audience-quiz', 3)
    await screenshot(audience, 'projector-question')
    await audit(audience, 'projector question with images')

    // Someone without a seat gets nothing; nor does a made-up token.
    const outsider = await browser.newContext()
    try {
      const bare = await outsider.request.get(`${server.url}${url.pathname}`)
      assert.equal(bare.status(), 404)
      const forged = await outsider.request.get(
        `${server.url}${url.pathname}?room=${url.searchParams.get('room')}&token=x`,
      )
      assert.equal(forged.status(), 404)
      const seated = await outsider.request.get(url.toString())
      assert.equal(seated.status(), 200, 'the seat opens it, not the browser')
    } finally {
      await outsider.close()
    }
  })

  step('answers and sees the result with the question image', async () => {
    await zoe.getByRole('button', { name: /Cat/ }).click()
    await max.getByRole('button', { name: /Dog/ }).click()
    await trainer.getByText('2 / 2 answered').waitFor()
    await trainer.getByRole('button', { name: 'Reveal' }).click()
    await zoe.getByText(/Bravo/).waitFor()
    await allLoaded(zoe, '.quiz-card', 1)
    await allLoaded(audience, '.audience-quiz', 3)
    await screenshot(zoe, 'phone-result')
    await screenshot(audience, 'projector-results')
  })

  step('the report says which question had images, and shows none', async () => {
    await trainer.getByRole('button', { name: 'End quiz' }).click()
    await trainer.getByRole('button', { name: 'End session' }).click()
    await trainer.getByRole('dialog', { name: 'End the session?' }).getByRole('button', { name: 'End session' }).click()
    await trainer.waitForURL('**/sessions/**')
    const row = trainer.locator('tr', { hasText: 'Which one is a cat?' })
    await row.getByText('Single choice · Shown with an image · Choices shown with images').waitFor()
    assert.equal(await trainer.locator('main img').count(), 0, 'no image in the report')
    await screenshot(trainer, 'report')
    await audit(trainer, 'report')
  })

  it('the pages pass axe-core (WCAG 2.1 AA)', () => {
    assert.deepEqual(violations, {})
  })
})
