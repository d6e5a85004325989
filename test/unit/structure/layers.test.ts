import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

/**
 * The layering docs/architecture.md promises: each folder of the node imports only from itself and
 * from the folders it lists, so imports point down and no circle can form between folders.
 */

const ROOT = resolve(__dirname, '../../..');
const NODE = join(ROOT, 'nodes/NanoBanana');

const ALLOWED: Record<string, string[]> = {
	'.': ['methods', 'actions', 'actions/batch', 'description'],
	methods: ['actions', 'transport/api', 'transport/http', 'transport/pacing', 'transport/failures', 'transport/google', 'transport/auth', 'transport/auth/vertexAuth'],
	actions: ['actions/batch', 'media', 'description', 'transport/api', 'transport/http', 'transport/pacing', 'transport/failures', 'transport/google', 'transport/auth', 'transport/auth/vertexAuth'],
	'actions/batch': ['actions', 'media', 'description', 'transport/api', 'transport/http', 'transport/pacing', 'transport/failures', 'transport/google', 'transport/auth'],
	media: ['description', 'transport/google', 'transport/auth'],
	description: [],
	'transport/api': ['transport/http', 'transport/google', 'transport/auth', 'transport/pacing'],
	'transport/http': ['transport/pacing', 'transport/failures', 'transport/google', 'transport/auth'],
	'transport/pacing': ['transport/failures'],
	'transport/failures': ['transport/google', 'transport/auth'],
	'transport/google': [],
	'transport/auth': ['transport/auth/vertexAuth', 'transport/google'],
	'transport/auth/vertexAuth': ['transport/auth'],
};

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

function folderOf(file: string): string {
	return relative(NODE, dirname(file)) || '.';
}

const imports = sourceFiles(NODE).flatMap((file) =>
	[...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => ({
		file: relative(NODE, file),
		from: folderOf(file),
		to: folderOf(resolve(dirname(file), `${match[1]}.ts`)),
	})),
);

describe('folder layering of nodes/NanoBanana', () => {
	it('names every folder in the allowed map (a new folder needs a line in docs/architecture.md too)', () => {
		const folders = new Set(sourceFiles(NODE).map(folderOf));
		expect([...folders].sort()).toEqual(Object.keys(ALLOWED).sort());
	});

	it('imports only from its own folder and the folders below it', () => {
		const upward = imports.filter(({ from, to }) => from !== to && !ALLOWED[from]?.includes(to));
		expect(upward).toEqual([]);
	});

	it('keeps at most 12 source files in each folder', () => {
		const counts = new Map<string, number>();
		for (const file of sourceFiles(NODE)) counts.set(folderOf(file), (counts.get(folderOf(file)) ?? 0) + 1);
		expect([...counts].filter(([, count]) => count > 12)).toEqual([]);
	});

	it('docs/architecture.md names every folder', () => {
		const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
		// Nested folders are named by their last part where their parent's row lists them.
		const missing = Object.keys(ALLOWED)
			.filter((folder) => folder !== '.')
			.filter((folder) => !doc.includes(`\`${folder}/\``) && !doc.includes(`\`${folder.split('/').pop()}/\``));
		expect(missing).toEqual([]);
	});
});
