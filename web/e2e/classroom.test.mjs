// @ts-check
// In the classroom: the audience screen on the projector (`/present/{name}`), the presenter as
// a console (answers hidden until asked for, the quiz's steps on screen and on keys, speaker
// notes), one tap answers on a phone, a selection sent by itself as time runs out, and a phone
// that scrolls through the slide. With PRATICO_SCREENS=1 the audience screen's phases are also
// saved at 1920 × 1080 under docs/screens/ (the README shows them).
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  auditInto,
  camera,
  joinRoom,
  laidOutAt,
  launchBrowser,
  newPage,
  overflowsHorizontally,
  startServer,
  watch,
} from './harness.mjs'

const screenshot = camera('classroom')
const screensDir = fileURLToPath(new URL('../../docs/screens/', import.meta.url))
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
const NOTES = 'Ask who has already written code. Keep it short: ten minutes at most.'
const LONG_TITLE = 'Une introduction complète et progressive à la programmation pour les grands débutants'

const QUIZ = {
  title: 'Warm-up',
  questions: [
    {
      kind: 'single',
      prompt: 'Which keyword declares a constant in JavaScript?',
      choices: [{ text: 'let' }, { text: 'const', correct: true }, { text: 'var' }],
      time_limit_s: 60,
    },
    {
      kind: 'multiple',
      prompt: 'Which of these are fruits?',
      choices: [{ text: 'Apple', correct: true }, { text: 'Carrot' }, { text: 'Banana', correct: true }],
      time_limit_s: 7,
    },
  ],
}

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  await created.context.addInitScript(() => {
    // @ts-ignore the app hands its tldraw editor to the test when asked
    window.__PRATICO_E2E__ = true
  })
  clients.push(created)
  return created.page
}

/** Runs axe on the page; what it finds is reported for every screen at once. */
const audit = (page, name) => auditInto(violations, page, name)

/** The audience screen in one phase, at 1920 × 1080, for the README (PRATICO_SCREENS=1). */
async function screen(name) {
  // Once what moves in has come to rest (the podium rises, the bars grow).
  await audience.waitForFunction(() =>
    document
      .getAnimations()
      .every(
        (a) =>
          !(a instanceof CSSAnimation) || a.effect?.getTiming().iterations === Infinity || a.playState !== 'running',
      ),
  )
  await screenshot(audience, `audience-${name}`)
  if (process.env.PRATICO_SCREENS !== '1') return
  mkdirSync(screensDir, { recursive: true })
  // The pointer rests: the full-screen button has faded away, as on a projector.
  await audience.mouse.move(5, 5)
  await audience.locator('.audience.idle').waitFor({ timeout: 10_000 })
  await audience.screenshot({ path: path.join(screensDir, `audience-${name}.png`) })
}

const join = (page, first, last, fr = false) => joinRoom(page, room.link, first, last, fr)

/**
 * What the audience screen could give away before the reveal: any element marked as right, any
 * "right answer" text, or choices that differ in anything but their text.
 */
async function leaks(page) {
  return page.evaluate(() => {
    const found = []
    const root = document.querySelector('.audience')
    if (!root) return ['no audience screen']
    for (const el of root.querySelectorAll('*')) {
      const marks = [...el.attributes].filter((a) => /correct|right|answer-key/i.test(`${a.name}=${a.value}`))
      if (marks.length) found.push(`${el.tagName}: ${marks.map((a) => `${a.name}="${a.value}"`).join(' ')}`)
    }
    if (/right answer|bonne réponse|✓/i.test(root.textContent ?? '')) found.push('a right-answer text')
    const choices = [...root.querySelectorAll('.audience-choice')].map((li) =>
      [...li.attributes]
        .filter((a) => a.name !== 'data-letter')
        .map((a) => `${a.name}=${a.value}`)
        .join(' '),
    )
    if (new Set(choices).size > 1) found.push(`choices differ: ${choices.join(' | ')}`)
    return found
  })
}

/** Whether an element is entirely inside the viewport. */
async function inViewport(locator) {
  const box = await locator.boundingBox()
  const size = locator.page().viewportSize()
  assert.ok(box && size, 'the element is shown')
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5
}

/** The presenter's console at a laptop's size: the quiz's steps and the page strip in view. */
async function consoleFits(width, height) {
  await trainer.setViewportSize({ width, height })
  await laidOutAt(trainer, width)
  const steps = trainer.getByRole('group', { name: 'Quiz steps' })
  assert.ok(await inViewport(steps), `the quiz's steps are on screen at ${width}×${height}`)
  assert.ok(await inViewport(trainer.getByRole('button', { name: /Next question/ })), `Next at ${width}×${height}`)
  const strip = trainer.getByRole('navigation', { name: 'Pages' })
  const box = await strip.boundingBox()
  assert.ok(box && box.y + box.height <= height + 0.5, `the page strip is whole at ${width}×${height}`)
  assert.equal(await trainer.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1), true)
  await screenshot(trainer, `presenter-${width}x${height}`)
}

/** A finger swipe, real touch events: from (x, y), moving by `dy` px (down when positive). */
async function swipe(page, x, y, dy) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] })
  for (let i = 1; i <= 10; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y + (dy * i) / 10 }] })
    await page.waitForTimeout(16)
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  await cdp.detach()
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

describe('in the classroom', { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
    await trainer.setViewportSize({ width: 1280, height: 720 })
    await trainer.goto(server.url)
    const signup = { name: 'Ana Martin', email: 'ana@example.org', password: 'correct horse battery', language: 'en' }
    assert.equal((await trainer.request.post('/api/auth/signup', { data: signup })).status(), 201)
    const [listed] = await (await trainer.request.get('/api/capsules')).json()
    // Speaker notes on the first page, as a .tldr file can carry them (the page's `meta.notes`),
    // and a title too long for a phone.
    const capsule = await (await trainer.request.get(`/api/capsules/${listed.id}`)).json()
    const first = Object.values(capsule.snapshot.store).find(
      (r) => r.typeName === 'page' && r.id === listed.pages[0].id,
    )
    first.meta = { ...first.meta, notes: NOTES }
    const patched = await trainer.request.patch(`/api/capsules/${listed.id}`, {
      data: { title: LONG_TITLE, snapshot: capsule.snapshot },
    })
    assert.equal(patched.status(), 200, await patched.text())
    const quiz = await (await trainer.request.post('/api/quizzes', { data: QUIZ })).json()
    room = await (
      await trainer.request.post('/api/rooms', { data: { capsule_id: listed.id, quiz_id: quiz.id } })
    ).json()
    await trainer.goto(`/live/${room.id}`)
    await trainer.getByRole('status').filter({ hasText: 'Live' }).waitFor()
    await trainer.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
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

  step('the presenter opens the audience screen: the page, and how to join', async () => {
    const opening = trainer.context().waitForEvent('page')
    await trainer.getByRole('button', { name: 'Open audience screen' }).click()
    audience = await opening
    watch(audience, server.url, clients[0].problems)
    await audience.setViewportSize({ width: 1920, height: 1080 })
    await audience.waitForURL(`**/present/${room.name}`)
    await audience.getByRole('heading', { name: 'Scan to join' }).waitFor()
    await audience.getByRole('img', { name: `QR code of ${room.link}` }).waitFor()
    await audience.getByText(room.link.replace(/^https?:\/\//, '')).waitFor()
    await audience.getByText('0 people here').waitFor()
    await audience.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
    // The trainer's notes stay on the trainer's screen.
    await trainer
      .getByRole('region', { name: /Your notes/ })
      .getByText(NOTES)
      .waitFor()
    assert.equal(await audience.getByText(NOTES).count(), 0, 'no speaker notes on the audience screen')
    // No presence of its own on the board: nobody sees a second cursor of the trainer's.
    const presences = await trainer.evaluate(() =>
      // @ts-ignore
      window.__tldrawEditor.getCollaborators().map((c) => c.userName),
    )
    assert.deepEqual(presences, [])
  })

  step('the room fills: participants join from phones, the head count grows', async () => {
    zoe = await client({ phone: true, locale: 'fr-FR' })
    await join(zoe, 'Zoé', 'Durand', true)
    liam = await client({ phone: true, locale: 'en-US' })
    await join(liam, 'Liam', 'Smith')
    await audience.getByText('2 people here').waitFor()
    await audit(audience, 'audience: join panel')
    await screen('1-join')
  })

  step('join info: hidden once the session moves on, then as the presenter switches it', async () => {
    const joinInfo = trainer.getByRole('switch', { name: 'Join info on the audience screen' })
    assert.equal(await joinInfo.getAttribute('aria-checked'), 'true', 'automatic: on, on the first page')
    await trainer.keyboard.press('PageDown')
    await audience.getByRole('heading', { name: 'Scan to join' }).waitFor({ state: 'detached' })
    assert.equal(await joinInfo.getAttribute('aria-checked'), 'false', 'automatic: off, past the first page')
    await trainer.getByRole('region', { name: /Your notes/ }).waitFor({ state: 'detached' })
    await joinInfo.click()
    await audience.getByRole('heading', { name: 'Scan to join' }).waitFor()
    // The screen keeps the choice over a reload.
    await audience.reload()
    await audience.getByRole('heading', { name: 'Scan to join' }).waitFor()
    await joinInfo.click()
    await audience.getByRole('heading', { name: 'Scan to join' }).waitFor({ state: 'detached' })
    await trainer.keyboard.press('PageUp')
    await zoe.getByText('Page 1 sur 5').waitFor()
  })

  step('a question opens: the screen shows it, never its right answer', async () => {
    await trainer.getByRole('button', { name: 'Start the quiz' }).click()
    await audience.getByRole('heading', { name: 'Warm-up' }).waitFor()
    await audience.getByText('Get your phone ready').waitFor()
    // N opens the first question (shortcuts are labelled on their buttons).
    const first = trainer.getByRole('button', { name: /Open the first question/ })
    assert.equal(await first.getAttribute('aria-keyshortcuts'), 'N')
    await trainer.keyboard.press('n')
    const prompt = 'Which keyword declares a constant in JavaScript?'
    await audience.getByRole('heading', { name: prompt }).waitFor()
    await audience.getByRole('timer').waitFor()
    await audience.getByText('0 / 2').waitFor()
    assert.deepEqual(await leaks(audience), [], 'nothing gives the right answer away')
    for (const text of ['let', 'const', 'var']) await audience.locator('.audience-choice', { hasText: text }).waitFor()
    // The presenter: answers hidden until asked for; A shows them, there only.
    assert.equal(await trainer.locator('.answer-key .correct').count(), 0, 'answers hidden by default')
    const show = trainer.getByRole('switch', { name: 'Show answers' })
    assert.equal(await show.getAttribute('aria-checked'), 'false')
    await trainer.keyboard.press('a')
    await trainer.locator('.answer-key li.correct', { hasText: 'const' }).waitFor()
    assert.deepEqual(await leaks(audience), [], 'the presenter’s answers stay off the audience screen')
    await trainer.keyboard.press('a')
    await trainer.locator('.answer-key .correct').waitFor({ state: 'detached' })
    // Typing in a field does not take a step: the chat's box gets an "r", nothing is revealed.
    await trainer.getByRole('tab', { name: /Chat/ }).click()
    await trainer.getByLabel('Write a message').fill('')
    await trainer.getByLabel('Write a message').press('r')
    assert.equal(await trainer.getByLabel('Write a message').inputValue(), 'r')
    await trainer.getByLabel('Write a message').fill('')
    await trainer.getByRole('tab', { name: 'Quiz' }).click()
    assert.deepEqual(await leaks(audience), [])
    await audit(audience, 'audience: question')
    await screen('2-question')
  })

  step('one tap answers; the screen counts the answers as they come', async () => {
    const choice = zoe.getByRole('button', { name: 'const' })
    await zoe.getByText('Touchez votre réponse : elle part aussitôt.').waitFor()
    assert.equal(await zoe.getByRole('button', { name: 'Envoyer ma réponse' }).count(), 0, 'no Send button')
    await audit(zoe, 'participant: one-tap question')
    await screenshot(zoe, 'one-tap-question')
    await choice.tap()
    await zoe.getByText('Réponse envoyée ✓').waitFor()
    assert.equal(await choice.getAttribute('aria-pressed'), 'true')
    assert.equal(await choice.isDisabled(), true, 'one answer only')
    await audience.getByText('1 / 2').waitFor()
    await trainer.getByText('1 / 2 answered').waitFor()
    assert.deepEqual(await leaks(audience), [])
    await screen('3-answers')
    await liam.getByRole('button', { name: 'let' }).tap()
    await liam.getByRole('button', { name: 'let', pressed: true }).waitFor()
    // Everyone answered: the question closes by itself; still nothing given away.
    await audience.getByText('Time’s up!').waitFor()
    assert.deepEqual(await leaks(audience), [])
  })

  step('the reveal marks the right answer; the console stays in view', async () => {
    await trainer.keyboard.press('r')
    const right = audience.locator('.audience-choice.correct')
    await right.waitFor()
    assert.equal(await right.count(), 1)
    assert.match(await right.innerText(), /const\s*✓ Right answer/)
    await audience.locator('.audience-choice.wrong', { hasText: 'let' }).getByText('1 vote').waitFor()
    await right.getByText('1 vote').waitFor()
    await zoe.getByText('Bravo ! +1000 points').waitFor()
    await audit(audience, 'audience: revealed')
    await screen('4-revealed')
    await trainer.getByRole('img', { name: /Answers\. A\. let: 1, B\. const: 1/ }).waitFor()
    await consoleFits(1280, 720)
    await consoleFits(1440, 900)
    await audit(trainer, 'presenter console')
    await trainer.setViewportSize({ width: 1280, height: 720 })
  })

  step('a multiple-choice selection never sent goes by itself as time runs out', async () => {
    await trainer.keyboard.press('n')
    await zoe.getByText('Which of these are fruits?').waitFor()
    // The screen too has moved on from the last reveal before it is checked.
    await audience.getByRole('heading', { name: 'Which of these are fruits?' }).waitFor()
    assert.deepEqual(await leaks(audience), [])
    await zoe.getByText('Apple').tap()
    await zoe.getByText('Banana').tap()
    assert.equal(await zoe.getByRole('button', { name: 'Envoyer ma réponse' }).isEnabled(), true)
    // Not sent: the time runs out (7 s) and the selection goes by itself, visibly.
    await zoe
      .getByText(/votre sélection a été envoyée automatiquement ✓/i)
      .first()
      .waitFor({ timeout: 15_000 })
    await trainer.getByText('1 / 2 answered').waitFor()
    await audience.getByText('Time’s up!').waitFor()
    await screenshot(zoe, 'sent-automatically')
    await trainer.getByRole('button', { name: /Reveal/ }).click()
    await zoe.getByText('Bravo ! +1000 points').waitFor()
    await audience.locator('.audience-choice.correct').nth(1).waitFor()
  })

  step('the quiz ends on a podium that stays until the page changes', async () => {
    await trainer.keyboard.press('Shift+E')
    const podium = audience.getByRole('list', { name: 'Leaderboard' })
    await podium.getByText('Zoé Durand').waitFor()
    await podium.getByText('2000 pts').waitFor()
    await audience.getByRole('heading', { name: 'Warm-up: the podium' }).waitFor()
    assert.notEqual(
      await audience
        .locator('.podium-place')
        .first()
        .evaluate((el) => getComputedStyle(el).animationName),
      'none',
    )
    await audit(audience, 'audience: podium')
    await screen('5-podium')
    // Without motion for those who ask for none.
    await audience.emulateMedia({ reducedMotion: 'reduce' })
    assert.equal(
      await audience
        .locator('.podium-place')
        .first()
        .evaluate((el) => getComputedStyle(el).animationName),
      'none',
    )
    await audience.emulateMedia({ reducedMotion: 'no-preference' })
    // A reload keeps it; a page change ends it, for good.
    await audience.reload()
    await podium.getByText('Zoé Durand').waitFor()
    await trainer.keyboard.press('PageDown')
    await podium.waitFor({ state: 'detached' })
    await audience.locator('.slide .tl-container').getByText('The basics: variables and types').first().waitFor()
    await audience.reload()
    await audience.locator('.slide .tl-container').getByText('The basics: variables and types').first().waitFor()
    assert.equal(await podium.count(), 0)
  })

  step('a rename moves the screen; an old presenter address still leads to the presenter', async () => {
    await trainer.getByRole('button', { name: 'Rename link' }).click()
    await trainer.getByLabel('New name').fill('atelier-code')
    await trainer.getByRole('button', { name: 'Save', exact: true }).click()
    await audience.waitForURL('**/present/atelier-code')
    await audience.reload()
    await audience.locator('.slide .tl-container').getByText('The basics: variables and types').first().waitFor()
    const old = await trainer.context().newPage()
    watch(old, server.url, clients[0].problems)
    await old.goto(`/present/${room.id}`)
    await old.waitForURL(`**/live/${room.id}`)
    await old.getByRole('button', { name: 'Open audience screen' }).waitFor()
    await old.close()
  })

  step('a notice floats over the phone’s page: the board stays where it was', async () => {
    const chat = liam.locator('details.chat-card')
    if (!(await chat.evaluate((details) => details instanceof HTMLDetailsElement && details.open)))
      await chat.locator('summary').click()
    const input = liam.getByLabel('Write a message')
    // Chat is limited to five messages in ten seconds: the sixth is refused, with a notice.
    for (let i = 1; i <= 5; i++) {
      await input.fill(`Message ${i}`)
      await input.press('Enter')
      await liam.getByRole('log').getByText(`Message ${i}`).waitFor()
    }
    await liam.evaluate(() => window.scrollTo(0, 0))
    const slide = liam.locator('.participant-stage .slide')
    const before = await slide.boundingBox()
    await input.fill('Message 6')
    await input.press('Enter')
    const notice = liam.getByRole('alert').filter({ hasText: 'Slow down a little' })
    await notice.waitFor()
    assert.deepEqual(await slide.boundingBox(), before, 'the board did not move')
    assert.ok(await inViewport(notice), 'the notice is on screen')
    await screenshot(liam, 'notice-over-the-page')
    await notice.getByRole('button', { name: 'Dismiss' }).click()
    await notice.waitFor({ state: 'detached' })
  })

  step('a phone scrolls through the slide; at 320 px the room and the name stay', async () => {
    await zoe.setViewportSize({ width: 390, height: 600 })
    await laidOutAt(zoe, 390)
    const slide = zoe.locator('.participant-stage .slide')
    // The slide in the middle of the screen (the quiz's card is above it on a phone).
    await slide.evaluate((el) => {
      const box = el.getBoundingClientRect()
      window.scrollTo(0, window.scrollY + box.top - (window.innerHeight - box.height) / 2)
    })
    const before = await zoe.evaluate(() => window.scrollY)
    assert.ok(before > 120, `room to scroll back: ${before}`)
    const zoom = await zoe.evaluate(() =>
      // @ts-ignore
      window.__tldrawEditor?.getZoomLevel(),
    )
    // A finger on the slide's title (text, where tldraw would catch it) moving down: the page
    // scrolls back up, the board takes nothing.
    const box = await slide.locator('.tl-rich-text').first().boundingBox()
    assert.ok(box)
    await swipe(zoe, box.x + box.width / 2, box.y + box.height / 2, 150)
    await zoe.waitForTimeout(300)
    const after = await zoe.evaluate(() => window.scrollY)
    assert.ok(after < before - 50, `the page scrolled: from ${before} to ${after}`)
    const board = await zoe.evaluate(() => ({
      // @ts-ignore
      zoom: window.__tldrawEditor?.getZoomLevel(),
      // @ts-ignore
      selected: window.__tldrawEditor?.getSelectedShapeIds().length,
      scale: window.visualViewport?.scale,
    }))
    assert.equal(board.zoom, zoom, 'no zoom')
    assert.equal(board.selected, 0)
    assert.equal(board.scale, 1)
    await screenshot(zoe, 'scrolled')

    // A long title at 320 px: cut with an ellipsis, whole on a tap; the name stays too.
    await zoe.setViewportSize({ width: 320, height: 640 })
    await laidOutAt(zoe, 320)
    await zoe.evaluate(() => window.scrollTo(0, 0))
    assert.equal(await overflowsHorizontally(zoe), false)
    const title = zoe.locator('.participant-title .truncate')
    const name = zoe.locator('.participant-name .truncate')
    for (const part of [title, name]) {
      assert.ok(await part.isVisible())
      assert.ok(await inViewport(part))
    }
    assert.equal(await name.innerText(), 'Zoé Durand')
    assert.equal(await name.getAttribute('title'), 'Zoé Durand')
    assert.equal(await title.getAttribute('title'), LONG_TITLE)
    assert.ok(await title.evaluate((el) => el.scrollWidth > el.clientWidth), 'the title is cut')
    await screenshot(zoe, 'narrow-320')
    const height = (await title.boundingBox())?.height ?? 0
    await title.tap()
    await zoe.waitForFunction(
      (h) => (document.querySelector('.participant-title .truncate')?.getBoundingClientRect().height ?? 0) > h * 1.5,
      height,
    )
    assert.equal(await overflowsHorizontally(zoe), false)
    assert.ok(((await name.boundingBox())?.width ?? 0) > 60, 'the name stays beside the whole title')
    await screenshot(zoe, 'narrow-320-title-whole')
  })

  step('long capsule titles stop at two lines on the cards', async () => {
    await trainer.goto('/capsules')
    const link = trainer.getByRole('link', { name: LONG_TITLE })
    await link.waitFor()
    const lines = await link.evaluate(
      (el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight),
    )
    assert.ok(lines <= 2.1, `the title takes ${lines} lines`)
    assert.equal(await link.getAttribute('title'), LONG_TITLE)
  })

  it('the new screens pass axe-core (WCAG 2.1 AA)', () => {
    assert.deepEqual(violations, {})
  })
})
