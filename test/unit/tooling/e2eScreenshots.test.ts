/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-require-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * The browser test's screenshots reach docs/screenshots/ only when they changed visibly
 * (test/e2e/lib/screenshots.js): run-to-run rendering noise must not rewrite the tracked PNGs,
 * a real change of the screen must.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Threshold = { channelDelta: number; minPixels: number };
const shots = require('../../e2e/lib/screenshots') as {
	VISIBLE: Threshold;
	visibleChange: (a: Buffer, b: Buffer, t?: Threshold) => { visible: boolean; differing: number; why: string };
	publishShots: (o: { from: string; to: string }) => { file: string; action: string; why: string }[];
};
const { encodePng } = require('../../emulator/png') as {
	encodePng: (o: { width: number; height: number; row: (y: number) => Buffer; text?: Record<string, string> }) => Buffer;
};

const W = 320;
const H = 200;
type Paint = (x: number, y: number) => [number, number, number];

/** A "screenshot": light grey page with a dark bar of text-like stripes; `paint` overrides pixels. */
function screen(paint: Paint = () => [-1, 0, 0], text: Record<string, string> = {}): Buffer {
	return encodePng({
		width: W,
		height: H,
		text,
		row: (y) => {
			const row = Buffer.alloc(W * 3);
			for (let x = 0; x < W; x++) {
				let px: [number, number, number] = y >= 20 && y < 30 && x % 7 < 4 ? [40, 40, 40] : [240, 240, 240];
				const over = paint(x, y);
				if (over[0] >= 0) px = over;
				row.set(px, x * 3);
			}
			return row;
		},
	});
}

/** `n` scattered pixels of the page (below the stripes) darkened by `delta`: noise, or fully changed pixels. */
const scattered = (n: number, delta: number): Paint => {
	const page = W * (H - 40);
	const picked = new Set(Array.from({ length: n }, (_, i) => 40 * W + ((i * 7919) % page)));
	return (x, y) => (picked.has(y * W + x) ? [240 - delta, 240 - delta, 240 - delta] : [-1, 0, 0]);
};

describe('screenshots: copied into docs/ only when they changed visibly', () => {
	const base = screen();

	it('identical or re-encoded images with the same pixels are no change', () => {
		expect(shots.visibleChange(base, base).visible).toBe(false);
		const reencoded = screen(undefined, { Software: 'another encoder' });
		expect(reencoded.equals(base)).toBe(false);
		expect(shots.visibleChange(base, reencoded)).toMatchObject({ visible: false, differing: 0 });
	});

	it('rendering noise is no change: slight colour shifts anywhere, and a few fully changed pixels', () => {
		const slight = shots.visibleChange(base, screen(scattered(5000, shots.VISIBLE.channelDelta - 8)));
		expect(slight).toMatchObject({ visible: false, differing: 0 });
		const few = shots.visibleChange(base, screen(scattered(shots.VISIBLE.minPixels, 200)));
		expect(few).toMatchObject({ visible: false, differing: shots.VISIBLE.minPixels });
	});

	it('a changed word (a 40x12 block of new pixels) and a changed size are visible changes', () => {
		const word = shots.visibleChange(base, screen((x, y) => (x >= 100 && x < 140 && y >= 60 && y < 72 ? [20, 90, 200] : [-1, 0, 0])));
		expect(word).toMatchObject({ visible: true, differing: 480 });
		const bigger = encodePng({ width: W + 1, height: H, row: () => Buffer.alloc((W + 1) * 3, 240) });
		expect(shots.visibleChange(base, bigger).visible).toBe(true);
	});

	it('publishShots adds new shots, updates visibly changed ones and leaves the rest byte for byte', () => {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-shots-'));
		try {
			const from = path.join(root, 'run');
			const to = path.join(root, 'docs');
			fs.mkdirSync(from);
			fs.mkdirSync(to);
			const noisy = screen(scattered(20, 200));
			const changed = screen((x, y) => (y >= 100 && y < 140 ? [200, 30, 30] : [-1, 0, 0]));
			fs.writeFileSync(path.join(to, 'same.png'), base);
			fs.writeFileSync(path.join(from, 'same.png'), noisy);
			fs.writeFileSync(path.join(to, 'changed.png'), base);
			fs.writeFileSync(path.join(from, 'changed.png'), changed);
			fs.writeFileSync(path.join(from, 'new.png'), base);
			const results = shots.publishShots({ from, to });
			expect(results.map((r) => [r.file, r.action])).toEqual([
				['changed.png', 'updated'],
				['new.png', 'added'],
				['same.png', 'kept'],
			]);
			expect(fs.readFileSync(path.join(to, 'same.png')).equals(base)).toBe(true);
			expect(fs.readFileSync(path.join(to, 'changed.png')).equals(changed)).toBe(true);
			expect(fs.readFileSync(path.join(to, 'new.png')).equals(base)).toBe(true);
		} finally {
			fs.rmSync(root, { recursive: true, force: true });
		}
	});
});
