// @ts-check
// The shared board in real browsers against the real binary: the trainer lets the class draw,
// two participants on phones draw a stroke each (one with the mouse, one with a finger), everyone
// sees every stroke; under `view` a participant cannot draw; a server restart keeps the board;
// the trainer clears the participants' drawings.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { accessibilityViolations, camera, launchBrowser, newPage, startServer } from './harness.mjs'

const screenshot = camera('canvas')
/** A 48 × 48 red square. */
const RED_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAYAAABXAvmHAAAARElEQVR42u3PMQ0AAAgDMCzNvxmcgAVekh4V0OpkPisBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBgasF3FRKLZd0DC8AAAAASUVORK5CYII='
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
let room = { id: '', link: '' }
const ids = { zoe: '', liam: '' }

async function client(options) {
  const created = await newPage(browser, server.url, options)
  created.context.setDefaultTimeout(20_000)
  // The app hands its tldraw editor to the test (window.__tldrawEditor) only when asked.
  await created.context.addInitScript(() => {
    // @ts-ignore
    window.__PRATICO_E2E__ = true
  })
  clients.push(created)
  return created.page
}

async function join(page, first, last) {
  await page.goto(room.link)
  await page.getByLabel('First name').fill(first)
  await page.getByLabel('Last name').fill(last)
  await page.getByRole('button', { name: 'Join the session' }).click()
  await page.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
}

/** Who drew the strokes on the page a browser shows (`meta.createdBy`), sorted. */
function strokes(page) {
  return page.evaluate(() => {
    // @ts-ignore
    const editor = window.__tldrawEditor
    if (!editor) return null
    return editor
      .getCurrentPageShapes()
      .filter((s) => s.type === 'draw')
      .map((s) => String(s.meta.createdBy))
      .sort()
  })
}

/** Waits until the page's board holds exactly these strokes (by author). */
async function waitForStrokes(page, expected, timeout = 15_000) {
  const want = [...expected].sort()
  const deadline = Date.now() + timeout
  let seen = null
  while (Date.now() < deadline) {
    seen = await strokes(page).catch(() => null)
    if (JSON.stringify(seen) === JSON.stringify(want)) return
    await page.waitForTimeout(200)
  }
  assert.deepEqual(seen, want, `strokes on ${page.url()}`)
}

/** The board's drawing area on the page, in page coordinates. */
async function canvasBox(page) {
  const box = await page.locator('.slide .tl-canvas').boundingBox()
  assert.ok(box, 'the board is shown')
  return box
}

/** A zigzag stroke with the mouse, starting at (fx, fy) of the board's size. */
async function mouseStroke(page, fx, fy) {
  const box = await canvasBox(page)
  const x = box.x + box.width * fx
  const y = box.y + box.height * fy
  await page.mouse.move(x, y)
  await page.mouse.down()
  for (let i = 1; i <= 12; i++) await page.mouse.move(x + i * 6, y + (i % 2 ? 8 : -8), { steps: 2 })
  await page.mouse.up()
}

/** The same with a finger: real touch events, as a phone sends them. */
async function touchStroke(page, fx, fy) {
  const box = await canvasBox(page)
  const x = box.x + box.width * fx
  const y = box.y + box.height * fy
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] })
  for (let i = 1; i <= 12; i++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: x + i * 6, y: y + (i % 2 ? 8 : -8) }],
    })
    await page.waitForTimeout(16)
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  await cdp.detach()
}

/** The author of the one stroke on the page not drawn by `known` (the participant's own id). */
async function newAuthor(page, known) {
  await page.waitForFunction((n) => {
    // @ts-ignore
    return window.__tldrawEditor.getCurrentPageShapes().filter((s) => s.type === 'draw').length > n
  }, known.length)
  const authors = (await strokes(page)) ?? []
  const fresh = authors.filter((a) => !known.includes(a))
  assert.equal(fresh.length, 1, `one new stroke: ${authors}`)
  assert.match(fresh[0], /^[0-9a-f-]{36}$/, 'a participant’s stroke carries their id')
  return fresh[0]
}

function readonly(page) {
  // @ts-ignore
  return page.evaluate(() => window.__tldrawEditor?.getIsReadonly() ?? null)
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

describe('the shared board', { timeout: 240_000 }, () => {
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

  step('the trainer lets the class draw together', async () => {
    await trainer.getByRole('tab', { name: 'Settings' }).click()
    // The choice shows once the server has taken it.
    await trainer.getByRole('radio', { name: /Draw together/ }).click()
    await trainer.getByRole('radio', { name: /Draw together/, checked: true }).waitFor()
    const found = await accessibilityViolations(trainer)
    assert.deepEqual(found, [], 'the presenter view with the board passes axe')
    await screenshot(trainer, 'presenter-draw-together')
  })

  step('two participants join from phones and may draw', async () => {
    zoe = await client({ phone: true })
    await join(zoe, 'Zoé', 'Durand')
    liam = await client({ phone: true })
    await join(liam, 'Liam', 'Smith')
    for (const page of [zoe, liam]) {
      await page.waitForFunction(() => {
        // @ts-ignore
        return window.__tldrawEditor?.getIsReadonly() === false
      })
      await page.locator('[data-testid="tools.draw"]').waitFor()
    }
    await screenshot(zoe, 'participant-may-draw')
  })

  step('the trainer and both participants draw; everyone sees all strokes', async () => {
    await trainer.locator('[data-testid="tools.draw"]').click()
    await mouseStroke(trainer, 0.2, 0.2)
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer'])

    await zoe.locator('[data-testid="tools.draw"]').click()
    await mouseStroke(zoe, 0.2, 0.7)
    ids.zoe = await newAuthor(zoe, ['trainer'])
    await liam.locator('[data-testid="tools.draw"]').tap()
    await touchStroke(liam, 0.5, 0.75)
    ids.liam = await newAuthor(liam, ['trainer', ids.zoe])
    assert.notEqual(ids.zoe, ids.liam)
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer', ids.zoe, ids.liam])
    // The trainer sees who is on the board, by name (tldraw presence).
    const names = await trainer.evaluate(() =>
      // @ts-ignore
      window.__tldrawEditor
        .getCollaborators()
        .map((c) => c.userName)
        .sort(),
    )
    assert.deepEqual(names, ['Liam Smith', 'Zoé Durand'])
    await screenshot(trainer, 'everyone-drew')
    await screenshot(liam, 'participant-sees-all')
  })

  step('the trainer drops an image: stored on the server, and the participants see it', async () => {
    await trainer.evaluate(async (png) => {
      // @ts-ignore
      const editor = window.__tldrawEditor
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0))
      const file = new File([bytes], 'red.png', { type: 'image/png' })
      await editor.putExternalContent({ type: 'files', files: [file], point: editor.getViewportPageBounds().center })
    }, RED_PNG)
    // The asset gets its URL once the upload is done.
    const uploaded = await trainer.waitForFunction(() => {
      // @ts-ignore
      const asset = window.__tldrawEditor.getAssets().find((a) => a.type === 'image' && a.props.src)
      return asset?.props.src
    })
    const src = await uploaded.jsonValue()
    assert.match(String(src), /^\/api\/assets\/[0-9a-f-]{36}$/, 'the image is uploaded, not inlined')
    for (const page of [zoe, liam]) {
      // A participant's browser fetches it with the room and its resume token.
      await page.waitForFunction(
        (path) =>
          [...document.querySelectorAll('.tl-container img')].some(
            (img) =>
              img instanceof HTMLImageElement &&
              img.currentSrc.includes(path) &&
              img.currentSrc.includes('token=') &&
              img.complete &&
              img.naturalWidth === 48,
          ),
        src,
      )
    }
    await screenshot(zoe, 'participant-sees-image')
  })

  step('under `view` a participant cannot draw', async () => {
    await trainer.getByRole('radio', { name: /View only/ }).click()
    await trainer.getByRole('radio', { name: /View only/, checked: true }).waitFor()
    // The server closes their board socket; it reconnects read-only by itself.
    for (const page of [zoe, liam])
      await page.waitForFunction(() => {
        // @ts-ignore
        return window.__tldrawEditor?.getIsReadonly() === true
      })
    assert.equal(await zoe.locator('[data-testid="tools.draw"]').count(), 0, 'no drawing tools')
    // Even forced into the draw tool, a stroke goes nowhere.
    await zoe.evaluate(() => {
      // @ts-ignore
      window.__tldrawEditor.setCurrentTool('draw')
    })
    await mouseStroke(zoe, 0.6, 0.3)
    await zoe.waitForTimeout(1500)
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer', ids.zoe, ids.liam])
    assert.equal(await readonly(trainer), false, 'the trainer still edits')
    await screenshot(zoe, 'participant-view-only')
  })

  step('a server restart keeps the board', async () => {
    await server.restart()
    for (const page of [trainer, zoe, liam]) {
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 })
    }
    // A fresh load, not only a reconnection, finds the strokes too.
    await liam.reload()
    await liam.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer', ids.zoe, ids.liam], 30_000)
    // And the trainer still draws on it.
    await mouseStroke(trainer, 0.5, 0.2)
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer', 'trainer', ids.zoe, ids.liam])
  })

  step('the trainer clears the participants’ drawings, then their own', async () => {
    await trainer.getByRole('button', { name: 'Clear participants’ drawings on this page' }).click()
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, ['trainer', 'trainer'])
    await trainer.getByRole('button', { name: 'Clear my annotations on this page' }).click()
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, [])
    // The slide itself is untouched.
    await zoe.locator('.slide .tl-container').getByText('Welcome to the course!').first().waitFor()
    await screenshot(trainer, 'cleared')
  })

  step('back to drawing together: the tools come back without a reload', async () => {
    await trainer.getByRole('radio', { name: /Draw together/ }).click()
    await trainer.getByRole('radio', { name: /Draw together/, checked: true }).waitFor()
    await zoe.waitForFunction(() => {
      // @ts-ignore
      return window.__tldrawEditor?.getIsReadonly() === false
    })
    await zoe.locator('[data-testid="tools.draw"]').click()
    await mouseStroke(zoe, 0.3, 0.6)
    for (const page of [trainer, zoe, liam]) await waitForStrokes(page, [ids.zoe])
  })

  step('the trainer turns a participant’s drawing off, then back on', async () => {
    await trainer.getByRole('tab', { name: /People/ }).click()
    const zoeDraws = trainer.getByRole('checkbox', { name: 'Zoé Durand may draw on the shared canvas' })
    await zoeDraws.click()
    await trainer.getByRole('checkbox', { name: 'Zoé Durand may draw on the shared canvas', checked: false }).waitFor()
    // Her board reconnects read-only; Liam still draws.
    await zoe.waitForFunction(() => {
      // @ts-ignore
      return window.__tldrawEditor?.getIsReadonly() === true
    })
    assert.equal(await readonly(liam), false, 'the others still draw')
    await screenshot(trainer, 'drawing-off')
    await zoeDraws.click()
    await trainer.getByRole('checkbox', { name: 'Zoé Durand may draw on the shared canvas', checked: true }).waitFor()
    await zoe.waitForFunction(() => {
      // @ts-ignore
      return window.__tldrawEditor?.getIsReadonly() === false
    })
  })

  step('the trainer saves the board as a capsule, also from the end-session confirmation', async () => {
    await trainer.getByRole('button', { name: 'Save the board as a capsule', exact: true }).click()
    await trainer
      .getByText(/The board was saved as/)
      .first()
      .waitFor()
    await trainer.getByRole('button', { name: 'End session' }).click()
    const dialog = trainer.locator('dialog')
    await dialog.getByRole('button', { name: 'Save the board as a capsule first' }).click()
    await dialog.getByText(/The board was saved as/).waitFor()
    await screenshot(trainer, 'board-saved')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    const capsules = await (await trainer.request.get('/api/capsules')).json()
    const boards = capsules.filter((c) => /\(board, \d{4}-\d{2}-\d{2}\)$/.test(c.title))
    assert.equal(boards.length, 2, `two boards saved: ${capsules.map((c) => c.title)}`)
    const saved = await (await trainer.request.get(`/api/capsules/${boards[0].id}`)).json()
    const drawn = Object.values(saved.snapshot.store).filter((r) => r.typeName === 'shape' && r.type === 'draw')
    assert.deepEqual(
      drawn.map((s) => s.meta.createdBy),
      [ids.zoe],
      'the board’s strokes are in the capsule',
    )
  })
})
