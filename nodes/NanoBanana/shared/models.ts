import { MODEL_TABLE, SUCCESSION_FAMILIES, type ModelLimits, type ModelRow, type ModelSuccession } from './modelTable';

/** Questions about the model table (modelTable.ts): rows by exact id, names, order, successors. */

export type { ModelLimits, ModelRow, ModelSuccession } from './modelTable';

/** `models/gemini-x`, `publishers/google/models/gemini-x` and `gemini-x` all name `gemini-x`. */
export function normalizeModelId(model: string): string {
	const trimmed = model.trim();
	const slash = trimmed.lastIndexOf('/');
	return slash >= 0 ? trimmed.slice(slash + 1) : trimmed;
}

const ROWS = new Map(MODEL_TABLE.map((row) => [row.id, row]));

/** The row of an exact id (a `models/…` path is accepted), or undefined: never by prefix. */
export function modelRow(modelId: string): ModelRow | undefined {
	return ROWS.get(normalizeModelId(modelId));
}

function only<T>(rows: T[], what: string): T {
	if (rows.length !== 1) throw new Error(`The model table must have exactly one ${what}`);
	return rows[0];
}

/** Google's recommended image model, and node version 2's default. */
export const RECOMMENDED_IMAGE_MODEL = only(MODEL_TABLE.filter((row) => row.status === 'recommended'), 'recommended model').id;

/** The model a node of `version` uses when none is saved. */
export function defaultModelOf(version: number): string {
	return only(MODEL_TABLE.filter((row) => row.defaultOfNodeVersions?.includes(version)), `default model of node version ${version}`).id;
}

/** The models offered in the picker, in picker order. */
export const PICKER_MODELS: readonly ModelRow[] = MODEL_TABLE.filter((row) => row.pickerOrder !== undefined).sort(
	(a, b) => (a.pickerOrder ?? 0) - (b.pickerOrder ?? 0),
);

/** A model in the picker (not shut down) by exact id. */
export function knownImageModel(modelId: string): ModelRow | undefined {
	const row = modelRow(modelId);
	return row?.pickerOrder !== undefined ? row : undefined;
}

/** "Nano Banana 2.1 (gemini-nano-banana-2.1)" for a model in the picker, the id alone otherwise. */
export function modelLabel(modelId: string): string {
	const row = knownImageModel(modelId);
	return row ? `${row.name} (${modelId})` : modelId;
}

/** What happened to an id Google no longer serves (to everyone), or undefined. */
export function successionOf(modelId: string): ModelSuccession | undefined {
	const id = modelId.trim().toLowerCase();
	const own = ROWS.get(id)?.succession;
	if (own) return own;
	if (ROWS.has(id)) return undefined;
	const family = SUCCESSION_FAMILIES.find((candidate) => candidate.matches(id));
	return family && { what: family.what, successors: family.successors, closed: family.closed };
}

/** Shut down for everyone: such ids are left out of the model picker. */
export function isShutDown(modelId: string): boolean {
	const succession = successionOf(modelId);
	return succession !== undefined && !succession.closed;
}

/** The limits of an exact id, or undefined (sent unchecked). */
export function limitsOf(modelId: string): (ModelLimits & { name: string }) | undefined {
	const row = modelRow(modelId);
	return row?.limits && { ...row.limits, name: row.name };
}

/** The offered models that accept something, in table order. */
export function modelsAccepting(accepts: (limits: ModelLimits) => boolean): ModelRow[] {
	return MODEL_TABLE.filter((row) => row.pickerOrder !== undefined && row.limits && accepts(row.limits));
}

/** "Nano Banana 2.1 and Nano Banana 2", for option descriptions. */
export function namesAccepting(accepts: (limits: ModelLimits) => boolean): string {
	const names = modelsAccepting(accepts).map((row) => row.name);
	return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? 'no model');
}
