// Builders for valid records of every type of tldraw 5.4.2's default schema (createTLSchema()).
// Written by hand from the validators' field lists; deterministic (no random ids, no clocks).
// Used by the scenario scripts ({"$make": kind, ...overrides}) and by gen-records.mjs.

import { b64Vecs } from '@tldraw/tlschema'

export const PAGE = 'page:page'

/** A ProseMirror document with one paragraph per line, as tldraw 5 stores text. */
export function richText(text) {
	return {
		type: 'doc',
		content: text.split('\n').map((line) =>
			line ? { type: 'paragraph', content: [{ type: 'text', text: line }] } : { type: 'paragraph' }
		),
	}
}

/** A draw/highlight segment: the points are tldraw's base64 float16 encoding (b64Vecs). */
export function segment(points, type = 'free') {
	return { type, path: b64Vecs.encodePoints(points.map(([x, y, z = 0.5]) => ({ x, y, z }))) }
}

function shape(type, props, o = {}) {
	return {
		id: o.id ?? `shape:${type}1`,
		typeName: 'shape',
		type,
		x: 0,
		y: 0,
		rotation: 0,
		index: 'a1',
		parentId: PAGE,
		isLocked: false,
		opacity: 1,
		meta: {},
		props,
	}
}

const makers = {
	document: () => ({ id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} }),
	page: () => ({ id: 'page:page2', typeName: 'page', name: 'Page 2', index: 'a2', meta: {} }),
	user: () => ({ id: 'user:alice', typeName: 'user', name: 'Alice', color: '#e03131', imageUrl: '', meta: {} }),
	geo: (o) =>
		shape(
			'geo',
			{
				geo: 'rectangle',
				dash: 'draw',
				url: '',
				w: 100,
				h: 80,
				growY: 0,
				scale: 1,
				flipX: false,
				flipY: false,
				labelColor: 'black',
				color: 'black',
				fill: 'none',
				size: 'm',
				font: 'draw',
				align: 'middle',
				verticalAlign: 'middle',
				richText: richText(''),
			},
			o
		),
	text: (o) =>
		shape(
			'text',
			{ color: 'black', size: 'm', font: 'draw', textAlign: 'start', w: 8, richText: richText('hello'), scale: 1, autoSize: true },
			o
		),
	draw: (o) =>
		shape(
			'draw',
			{
				color: 'black',
				fill: 'none',
				dash: 'draw',
				size: 'm',
				segments: [segment([[0, 0], [10, 5], [20, 20]])],
				isComplete: true,
				isClosed: false,
				isPen: false,
				scale: 1,
				scaleX: 1,
				scaleY: 1,
			},
			o
		),
	highlight: (o) =>
		shape(
			'highlight',
			{ color: 'yellow', size: 'm', segments: [segment([[0, 0], [30, 0]])], isComplete: true, isPen: false, scale: 1, scaleX: 1, scaleY: 1 },
			o
		),
	arrow: (o) =>
		shape(
			'arrow',
			{
				kind: 'arc',
				labelColor: 'black',
				color: 'black',
				fill: 'none',
				dash: 'draw',
				size: 'm',
				arrowheadStart: 'none',
				arrowheadEnd: 'arrow',
				font: 'draw',
				start: { x: 0, y: 0 },
				end: { x: 100, y: 50 },
				bend: 0,
				richText: richText(''),
				labelPosition: 0.5,
				scale: 1,
				elbowMidPoint: 0.5,
			},
			o
		),
	note: (o) =>
		shape(
			'note',
			{
				color: 'yellow',
				labelColor: 'black',
				size: 'm',
				font: 'draw',
				fontSizeAdjustment: null,
				align: 'middle',
				verticalAlign: 'middle',
				growY: 0,
				url: '',
				richText: richText('note'),
				scale: 1,
				textLastEditedBy: null,
			},
			o
		),
	line: (o) =>
		shape(
			'line',
			{
				color: 'black',
				dash: 'draw',
				size: 'm',
				spline: 'line',
				points: {
					a1: { id: 'a1', index: 'a1', x: 0, y: 0 },
					a2: { id: 'a2', index: 'a2', x: 100, y: 40 },
				},
				scale: 1,
			},
			o
		),
	frame: (o) => shape('frame', { w: 320, h: 180, name: 'Frame', color: 'black' }, o),
	group: (o) => shape('group', {}, o),
	image: (o) =>
		shape(
			'image',
			{ w: 64, h: 48, playing: true, url: '', assetId: 'asset:image1', crop: null, flipX: false, flipY: false, altText: '' },
			o
		),
	video: (o) =>
		shape(
			'video',
			{ w: 160, h: 90, time: 0, playing: false, autoplay: true, url: '', assetId: 'asset:video1', altText: '' },
			o
		),
	embed: (o) => shape('embed', { w: 560, h: 315, url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, o),
	bookmark: (o) => shape('bookmark', { w: 300, h: 320, assetId: 'asset:bookmark1', url: 'https://example.com/' }, o),
	binding: () => ({
		id: 'binding:arrow1',
		typeName: 'binding',
		type: 'arrow',
		fromId: 'shape:arrow1',
		toId: 'shape:geo1',
		props: { terminal: 'end', normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
		meta: {},
	}),
	asset_image: () => ({
		id: 'asset:image1',
		typeName: 'asset',
		type: 'image',
		props: { w: 64, h: 48, name: 'pixel.png', isAnimated: false, mimeType: 'image/png', src: 'https://example.com/pixel.png' },
		meta: {},
	}),
	asset_video: () => ({
		id: 'asset:video1',
		typeName: 'asset',
		type: 'video',
		props: { w: 160, h: 90, name: 'clip.mp4', isAnimated: true, mimeType: 'video/mp4', src: 'https://example.com/clip.mp4' },
		meta: {},
	}),
	asset_bookmark: () => ({
		id: 'asset:bookmark1',
		typeName: 'asset',
		type: 'bookmark',
		props: { title: 'Example', description: 'An example page', image: '', favicon: '', src: 'https://example.com/' },
		meta: {},
	}),
	// lastActivityTimestamp is normally Date.now() on the client; builders use a fixed value.
	presence: () => ({
		id: 'instance_presence:client-chosen',
		typeName: 'instance_presence',
		userId: 'user:alice',
		userName: 'Alice',
		lastActivityTimestamp: 1700000000000,
		followingUserId: null,
		cursor: { x: 0, y: 0, type: 'default', rotation: 0 },
		color: '#e03131',
		camera: { x: 0, y: 0, z: 1 },
		screenBounds: { x: 0, y: 0, w: 1280, h: 720 },
		selectedShapeIds: [],
		currentPageId: PAGE,
		brush: null,
		scribbles: [],
		chatMessage: '',
		meta: {},
	}),
}

export const SHAPE_KINDS = ['geo', 'text', 'draw', 'highlight', 'arrow', 'note', 'line', 'frame', 'group', 'image', 'video', 'embed', 'bookmark']
export const RECORD_KINDS = Object.keys(makers)

/**
 * A valid record of `kind` with `overrides` applied: top-level keys replace the default, except
 * `props` and `meta`, which are merged key by key (a key set to null in `props` stays null).
 */
export function make(kind, overrides = {}) {
	const maker = makers[kind]
	if (!maker) throw new Error(`unknown record kind ${kind}`)
	const base = maker(overrides)
	const out = { ...base }
	for (const [k, v] of Object.entries(overrides)) {
		if ((k === 'props' || k === 'meta') && v && typeof v === 'object' && !Array.isArray(v)) out[k] = { ...base[k], ...v }
		else out[k] = v
	}
	return out
}

/** Replaces every {"$make": kind, ...overrides} object inside `value` (recursively) by make(). */
export function expandMakes(value) {
	if (Array.isArray(value)) return value.map(expandMakes)
	if (value && typeof value === 'object') {
		if ('$make' in value) {
			const { $make, ...rest } = value
			return make($make, expandMakes(rest))
		}
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandMakes(v)]))
	}
	return value
}
