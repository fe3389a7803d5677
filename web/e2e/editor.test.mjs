// @ts-check
// The capsule editor in real browsers against the real binary: a new trainer creates a blank
// capsule, adds pages with tldraw's page menu, writes on them and drops an image; the state
// goes from "Saving…" to "Saved" and a reload finds everything; a second tab sees the first
// tab's edit live; offline, changes wait in the tab; the capsule launches and a participant sees
// the slide with the image.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  accessibilityViolations,
  camera,
  laidOutAt,
  launchBrowser,
  newPage,
  overflowsHorizontally,
  startServer,
  watch,
} from './harness.mjs'

const screenshot = camera('editor')
/** A 48 × 48 red square. */
const RED_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAYAAABXAvmHAAAARElEQVR42u3PMQ0AAAgDMCzNvxmcgAVekh4V0OpkPisBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBgasF3FRKLZd0DC8AAAAASUVORK5CYII='
/** What each page of the capsule should hold once written, in tldraw's order. */
const PAGES = [
  { name: 'Page 1', text: 'Light makes sugar' },
  { name: 'Leaves', text: 'Chlorophyll is green' },
  { name: 'Roots', text: 'Water comes up' },
  { name: 'Summary', text: 'Plants feed themselves' },
]
/** @type {Awaited<ReturnType<typeof startServer>>} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof newPage>>[]} */
const clients = []
/** @type {import('playwright-core').Page} */
let trainer
let editorPath = ''

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

/** The editor's save state, once it says `text` (exactly). */
function saveState(page, text) {
  return page.locator('[data-save-state]').filter({ hasText: new RegExp(`^${text}$`) })
}

/** Waits until the editor is connected and its tldraw editor is up. */
async function editorReady(page) {
  await saveState(page, 'Saved').waitFor()
  await page.waitForFunction(() => {
    // @ts-ignore
    return window.__tldrawEditor?.getCurrentPage() !== undefined
  })
}

/** Records every save state the page shows from now on (`window.__saveStates`). */
function recordSaveStates(page) {
  return page.evaluate(() => {
    const seen = ['']
    const note = () => {
      const state = document.querySelector('[data-save-state]')?.getAttribute('data-save-state') ?? 'none'
      if (seen.at(-1) !== state) seen.push(state)
    }
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true })
    note()
    // @ts-ignore
    window.__saveStates = seen
  })
}

function savedStates(page) {
  // @ts-ignore
  return page.evaluate(() => window.__saveStates.slice(1))
}

/** The canvas's drawing area, in page coordinates. */
async function canvasBox(page) {
  const box = await page.locator('.editor-canvas .tl-canvas').boundingBox()
  assert.ok(box, 'the canvas is shown')
  return box
}

/** Writes `text` with tldraw's text tool at (fx, fy) of the canvas. */
async function writeText(page, text, fx = 0.4, fy = 0.35) {
  await page.locator('[data-testid="tools.text"]').click()
  const box = await canvasBox(page)
  await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy)
  // Keys go to the new text once its editor has the focus.
  await page.waitForFunction(() => {
    // @ts-ignore
    const editing = window.__tldrawEditor.getEditingShapeId() !== null
    return editing && document.activeElement instanceof HTMLElement && document.activeElement.isContentEditable
  })
  await page.keyboard.type(text)
  await page.keyboard.press('Escape')
  await page.locator('.editor-canvas .tl-container').getByText(text).first().waitFor()
}

/** Adds a page with tldraw's page menu and names it. */
async function addPage(page, name) {
  await page.locator('[data-testid="page-menu.button"]').click()
  await page.locator('[data-testid="page-menu.create"]').click()
  // tldraw opens the new page's name for editing.
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type(name)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Escape')
  await page.waitForFunction(
    // @ts-ignore
    (n) => window.__tldrawEditor.getCurrentPage().name === n,
    name,
  )
}

async function goToPage(page, name) {
  await page.locator('[data-testid="page-menu.button"]').click()
  await page.locator('[data-testid="page-menu.item"]').filter({ hasText: name }).click()
  await page.keyboard.press('Escape')
  // @ts-ignore
  await page.waitForFunction((n) => window.__tldrawEditor.getCurrentPage().name === n, name)
}

/** Every page as the tab's editor has it: name, texts, images (with their asset's `src`). */
function contents(page) {
  return page.evaluate(() => {
    // @ts-ignore
    const editor = window.__tldrawEditor
    return editor.getPages().map((p) => {
      const shapes = [...editor.getPageShapeIds(p.id)].map((id) => editor.getShape(id))
      return {
        name: p.name,
        texts: shapes.filter((s) => s.type === 'text').map((s) => editor.getShapeUtil(s).getText(s)),
        images: shapes
          .filter((s) => s.type === 'image')
          .map((s) => editor.getAsset(s.props.assetId)?.props.src ?? null),
      }
    })
  })
}

function step(name, run) {
  it(name, async () => {
    try {
      await run()
    } catch (error) {
      for (const [i, c] of clients.entries())
        for (const [j, page] of c.context.pages().entries())
          await screenshot(page, `failed-client-${i}-tab-${j}`).catch(() => {})
      throw error
    }
  })
}

describe('the capsule editor', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    trainer = await client({ locale: 'en-US' })
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

  step('a new trainer signs up and creates a blank capsule', async () => {
    await trainer.goto(server.url)
    await trainer.getByLabel('Your name').fill('Ana Martin')
    await trainer.getByLabel('E-mail').fill('ana@example.org')
    await trainer.getByLabel('Password').fill('correct horse battery')
    await trainer.getByRole('button', { name: 'Create account' }).click()
    await trainer.waitForURL('**/capsules')
    await trainer.getByRole('button', { name: 'New capsule' }).click()
    const dialog = trainer.getByRole('dialog', { name: 'New capsule' })
    await dialog.getByLabel('Title').fill('Photosynthesis')
    assert.equal(await dialog.getByRole('radio', { name: /A blank page/ }).isChecked(), true, 'blank by default')
    assert.deepEqual(await accessibilityViolations(trainer), [], 'the new capsule dialog passes axe')
    await screenshot(trainer, 'new-capsule')
    await dialog.getByRole('button', { name: 'Create and edit' }).click()
    await trainer.waitForURL(/\/capsules\/[0-9a-f-]{36}\/edit$/)
    editorPath = new URL(trainer.url()).pathname
    await editorReady(trainer)
    assert.deepEqual(await contents(trainer), [{ name: 'Page 1', texts: [], images: [] }])
    assert.deepEqual(await accessibilityViolations(trainer), [], 'the editor passes axe')
    const size = trainer.viewportSize()
    await trainer.setViewportSize({ width: 320, height: 640 })
    await laidOutAt(trainer, 320)
    const broken = await overflowsHorizontally(trainer)
    await screenshot(trainer, 'editor-320px')
    if (size) await trainer.setViewportSize(size)
    assert.equal(broken, false, 'the editor is wider than 320 px')
  })

  step('renames the capsule in place', async () => {
    const title = trainer.getByLabel('Title of the capsule')
    await title.fill('Photosynthesis, step by step')
    await title.press('Enter')
    await trainer.getByRole('status').filter({ hasText: 'Title saved' }).waitFor()
    const id = editorPath.split('/')[2]
    const capsule = await (await trainer.request.get(`/api/capsules/${id}`)).json()
    assert.equal(capsule.title, 'Photosynthesis, step by step')
  })

  step('adds pages with tldraw’s page menu, writes on each, drops an image: Saving…, then Saved', async () => {
    await recordSaveStates(trainer)
    await writeText(trainer, PAGES[0].text)
    for (const page of PAGES.slice(1)) {
      await addPage(trainer, page.name)
      await writeText(trainer, page.text)
    }
    await goToPage(trainer, PAGES[0].name)
    // A real drop of a file on the canvas, as from the desktop.
    const files = await trainer.evaluateHandle((png) => {
      const transfer = new DataTransfer()
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0))
      transfer.items.add(new File([bytes], 'red.png', { type: 'image/png' }))
      return transfer
    }, RED_PNG)
    const box = await canvasBox(trainer)
    const at = { clientX: box.x + box.width * 0.7, clientY: box.y + box.height * 0.6 }
    await trainer.dispatchEvent('.editor-canvas .tl-canvas', 'dragover', { dataTransfer: files, ...at })
    await trainer.dispatchEvent('.editor-canvas .tl-canvas', 'drop', { dataTransfer: files, ...at })
    // The asset gets its URL once the upload is done.
    await trainer.waitForFunction(() => {
      // @ts-ignore
      const asset = window.__tldrawEditor.getAssets().find((a) => a.type === 'image')
      return asset?.props.src?.startsWith('/api/assets/')
    })
    await saveState(trainer, 'Saved').waitFor()
    const states = await savedStates(trainer)
    assert.ok(states.includes('saving'), `"Saving…" was shown: ${states}`)
    assert.equal(states.at(-1), 'saved', `then "Saved": ${states}`)
    await screenshot(trainer, 'edited')
  })

  step('a reload finds every page, text and image', async () => {
    const before = await contents(trainer)
    assert.deepEqual(
      before.map((p) => [p.name, p.texts]),
      PAGES.map((p) => [p.name, [p.text]]),
    )
    assert.match(String(before[0].images[0]), /^\/api\/assets\/[0-9a-f-]{36}$/, 'the image is uploaded, not inlined')
    await trainer.reload()
    await editorReady(trainer)
    assert.deepEqual(await contents(trainer), before)
    await trainer.locator('.editor-canvas img').first().waitFor()
    const id = editorPath.split('/')[2]
    const capsule = await (await trainer.request.get(`/api/capsules/${id}`)).json()
    assert.deepEqual(
      capsule.pages.map((p) => p.name),
      PAGES.map((p) => p.name),
      'the saved capsule has the pages',
    )
  })

  step('a second tab on the same capsule sees the first tab’s edit live', async () => {
    const owner = clients[0]
    const second = await owner.context.newPage()
    watch(second, server.url, owner.problems)
    await second.goto(editorPath)
    await editorReady(second)
    await writeText(trainer, 'Seen in the other tab', 0.3, 0.7)
    await second.locator('.editor-canvas .tl-container').getByText('Seen in the other tab').first().waitFor()
    await saveState(trainer, 'Saved').waitFor()
    await screenshot(second, 'second-tab')
    await second.close()
  })

  step('offline, changes are kept in the tab (leaving warns), then saved once back', async () => {
    const leavingWarns = () =>
      trainer.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true })
        window.dispatchEvent(event)
        return event.defaultPrevented
      })
    await clients[0].context.setOffline(true)
    await saveState(trainer, 'Offline — reconnecting…').waitFor()
    await writeText(trainer, 'Written offline', 0.6, 0.2)
    await saveState(trainer, 'Offline — changes kept in this tab').waitFor()
    assert.equal(await leavingWarns(), true, 'leaving with unsaved changes asks first')
    await screenshot(trainer, 'offline')
    await clients[0].context.setOffline(false)
    await saveState(trainer, 'Saved').waitFor()
    assert.equal(await leavingWarns(), false, 'nothing to lose once saved')
    const id = editorPath.split('/')[2]
    const capsule = await (await trainer.request.get(`/api/capsules/${id}`)).json()
    assert.ok(JSON.stringify(capsule.snapshot).includes('Written offline'), 'the offline change is saved')
  })

  step('a pasted address becomes text and a link on a shape is dropped: the editor stays connected', async () => {
    const url = 'https://example.org/cours'
    // What tldraw does with a pasted or dropped address (a bookmark, by default).
    await trainer.evaluate((url) => {
      const editor = window.__tldrawEditor
      return editor.putExternalContent({ type: 'url', url, point: editor.getViewportPageBounds().center })
    }, url)
    await trainer.locator('.editor-canvas .tl-container').getByText(url).first().waitFor()
    await trainer.evaluate(() => {
      const editor = window.__tldrawEditor
      editor.createShape({ type: 'geo', x: 50, y: 50, props: { w: 80, h: 40, url: 'https://example.org/' } })
    })
    await saveState(trainer, 'Saved').waitFor()
    const shapes = await trainer.evaluate(() => window.__tldrawEditor.getCurrentPageShapes())
    assert.ok(!shapes.some((shape) => shape.type === 'bookmark' || shape.type === 'embed'), 'no bookmark nor embed')
    assert.ok(
      shapes.every((shape) => !shape.props.url),
      'no link on any shape',
    )
    const id = editorPath.split('/')[2]
    const capsule = await (await trainer.request.get(`/api/capsules/${id}`)).json()
    const saved = JSON.stringify(capsule.snapshot)
    assert.ok(saved.includes(url), 'the address is saved as text')
    assert.ok(!saved.includes('"url":"https://example.org/"'), 'the link is not')
  })

  step('launches the capsule: a participant sees the slide with the image', async () => {
    await trainer.getByRole('button', { name: 'Launch', exact: true }).click()
    await trainer.getByRole('button', { name: 'Launch the session' }).click()
    await trainer.waitForURL(/\/live\/[0-9a-f-]{36}$/)
    const roomId = new URL(trainer.url()).pathname.split('/')[2]
    const room = await (await trainer.request.get(`/api/rooms/${roomId}`)).json()
    const zoe = await client({ phone: true })
    await zoe.goto(room.link)
    await zoe.getByLabel('First name').fill('Zoé')
    await zoe.getByLabel('Last name').fill('Durand')
    await zoe.getByRole('button', { name: 'Join the session' }).click()
    const slide = zoe.locator('.slide .tl-container')
    await slide.getByText(PAGES[0].text).first().waitFor()
    await slide.getByText('Seen in the other tab').first().waitFor()
    await slide.getByText('Written offline').first().waitFor()
    // Her browser fetches the image with the room and her resume token.
    await zoe.waitForFunction(() =>
      [...document.querySelectorAll('.slide .tl-container img')].some(
        (img) =>
          img instanceof HTMLImageElement &&
          img.currentSrc.includes('/api/assets/') &&
          img.currentSrc.includes('token=') &&
          img.complete &&
          img.naturalWidth === 48,
      ),
    )
    await screenshot(zoe, 'participant-sees-the-capsule')
  })
})
