/**
 * What an image really is, judged by its first bytes: upstream nodes often label files
 * `application/octet-stream` (HTTP downloads, Drive exports) or lie outright.
 */

export const SUPPORTED_INPUT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'] as const;
export type SupportedInputType = (typeof SUPPORTED_INPUT_TYPES)[number];

/** Image types people send that Google refuses; named in the error so users know what they had. */
const UNSUPPORTED_NAMES: Record<string, string> = {
	'image/gif': 'GIF',
	'image/bmp': 'BMP',
	'image/tiff': 'TIFF',
	'image/svg+xml': 'SVG',
	'image/x-icon': 'ICO',
	'image/avif': 'AVIF',
};

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
	return signature.every((byte, index) => bytes[offset + index] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
	return String.fromCharCode(...bytes.subarray(from, to));
}

const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'];
const AVIF_BRANDS = ['avif', 'avis'];
const HEIF_BRANDS = ['mif1', 'msf1', 'heif'];

/** The brands of an ISO-BMFF `ftyp` box: the major brand, then the compatible brands. */
function isoBrands(bytes: Uint8Array): string[] {
	const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const boxSize = view.readUInt32BE(0);
	// Compatible brands follow the major brand (8..12) and the minor version (12..16).
	const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16, 4096);
	const brands = [ascii(bytes, 8, 12)];
	for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
	return brands;
}

/**
 * ISO-BMFF files (the `ftyp` box) that are HEIC, HEIF or AVIF. A specific major brand decides;
 * the generic image brands (`mif1`, `msf1`) leave it to the compatible brands, since AVIF files
 * often carry `mif1` as their major brand and `avif` among the compatible ones.
 */
function isoMediaType(bytes: Uint8Array): string | undefined {
	if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
	const [major, ...compatible] = isoBrands(bytes);
	if (HEIC_BRANDS.includes(major)) return 'image/heic';
	if (AVIF_BRANDS.includes(major)) return 'image/avif';
	if (!HEIF_BRANDS.includes(major)) return undefined;
	if (compatible.some((brand) => AVIF_BRANDS.includes(brand))) return 'image/avif';
	if (compatible.some((brand) => HEIC_BRANDS.includes(brand))) return 'image/heic';
	return 'image/heif';
}

/** The image type of the bytes, or undefined when they are not an image this node recognises. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
	if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
	if (ascii(bytes, 0, 4) === 'GIF8') return 'image/gif';
	if (ascii(bytes, 0, 2) === 'BM' && bytes.length > 14) return 'image/bmp';
	if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
		return 'image/tiff';
	}
	if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'image/x-icon';
	const iso = isoMediaType(bytes);
	if (iso) return iso;
	const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart().toLowerCase();
	if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
	return undefined;
}

export function isSupportedInputType(mimeType: string): mimeType is SupportedInputType {
	return (SUPPORTED_INPUT_TYPES as readonly string[]).includes(mimeType);
}

export function formatName(mimeType: string): string {
	return UNSUPPORTED_NAMES[mimeType] ?? mimeType.replace(/^image\//, '').toUpperCase();
}

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/heic': 'heic',
	'image/heif': 'heif',
	'image/gif': 'gif',
};

export function extensionFor(mimeType: string): string {
	return EXTENSIONS[mimeType] ?? (mimeType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin');
}

export function formatBytes(bytes: number): string {
	const mb = bytes / (1024 * 1024);
	return mb >= 1 ? `${mb.toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
