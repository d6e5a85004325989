import { BINARY_ENCODING, type IBinaryData, type ICredentialDataDecryptedObject, type IExecuteFunctions, type ILoadOptionsFunctions } from 'n8n-workflow';

import {
	DEFAULT_ITEM_TIME_BUDGET_SECONDS,
	DEFAULT_MAX_CONCURRENCY,
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
} from '../description/defaults';
import { readOptions, RUN_OPTIONS } from '../description/options';
import type { Backend } from '../transport/auth/backends';
import { backendModule } from '../transport/auth/registry';
import { generateContent } from '../transport/api/models';
import { uploadFile, type UploadSource } from '../transport/api/files';
import { CredentialRefusal, type AuthenticatedRequest, type CallOptions } from '../transport/http/client';
import { credentialIdentity } from '../transport/auth/credentialIdentity';
import type { EncodedRequest } from '../transport/google/encode';
import { ExecutionGates, processGates } from '../transport/pacing/gateRegistry';
import { loggerOf, nodeLog, type NodeLog } from '../transport/http/log';
import { urlSecrets } from '../transport/http/redact';
import { DEFAULT_RETRY_POLICY } from '../transport/failures/retry';
import type { PlainRequest } from '../transport/auth/vertexAuth';
import type { FileData } from '../transport/google/types';
import { AnswerCache, AnswerStore } from './answerCache';
import { NoImageError } from './errors';
import { imageAnswerFrom, type GeneratedAnswer } from './answer';
import { CostSession } from '../cost/session';
import type { RequestShape } from '../cost/estimate';
import { n8nTokenReporter } from '../cost/tokenUsage';

/**
 * What every item of one execution shares: the backend, one request gate (so the whole pool
 * honours a quota together), the answer cache, retry settings and the secrets to keep out of
 * messages.
 */
export interface RunContext {
	backend: Backend;
	maxConcurrency: number;
	timeoutMs: number;
	itemTimeBudgetMs: number;
	secrets: string[];
	signal?: AbortSignal;
	/** Batch Mode: each item goes to its first model only (Fallback Models are not used, nor checked). */
	firstModelOnly?: boolean;
	/** n8n's log for this execution; items add their index (`log.with({ itemIndex })`). */
	log: NodeLog;
	/**
	 * n8n's authenticated HTTP helper and this execution's retry settings, for other calls (Batch
	 * Mode; their gate is the credential's batch gate, apart from the models' quotas).
	 */
	request: AuthenticatedRequest;
	callOptions: CallOptions;
	/**
	 * Sends an encoded request (see `encode.ts`) to `modelId`, sharing identical requests,
	 * and reads the answer's images; an answer without a usable image throws NoImageError.
	 * `log` is the item's log.
	 */
	generate(modelId: string, request: EncodedRequest, deadlineAt: number, log?: NodeLog, shape?: RequestShape): Promise<GeneratedAnswer>;
	upload(source: UploadSource, deadlineAt: number, log?: NodeLog): Promise<FileData>;
	/** What this execution spends: caps, item costs, n8n's token usage (see cost/). */
	cost: CostSession;
	/**
	 * True on Vertex AI until a request of this execution has come back: until then a request
	 * may be the one that fetches the token, and requests sent beside it would each fetch one.
	 */
	awaitingToken(): boolean;
	/** The execution's node run is over: leave the process's shared gates, log what it cost. */
	close(): void;
}

/** A request whose shape is not known is estimated as one image from a short prompt. */
const UNKNOWN_SHAPE: RequestShape = { promptChars: 0, inputImages: 0, images: 1 };

type Answer = Omit<GeneratedAnswer, 'shared' | 'keptAs'>;
/**
 * A finished answer as a store keeps it. Once the first item's output holds its images
 * (`outputs`, n8n's binaries: files in filesystem mode), this execution's store keeps the answer
 * without image bytes or Google's parts and reads the images back from those binaries when an
 * identical item asks: a 1000-item run no longer holds every answer it was given (issue 24).
 */
type StoredAnswer = Answer & { outputs?: IBinaryData[]; turnImages?: Array<number | undefined> };

/**
 * The answer without its images' bytes (see StoredAnswer). The model's turn stays (a later Refine
 * continues from it, signatures included), its image parts emptied where they are one of the
 * answer's images: `turnImages` says which, so `withBytes` puts them back from the outputs.
 */
function withoutBytes(stored: Answer, outputs: IBinaryData[]): StoredAnswer {
	const { images, modelTurn } = stored.answer;
	const turnImages = (modelTurn?.parts ?? []).map((part) => {
		if (!part.inlineData) return undefined;
		const bytes = Buffer.from(part.inlineData.data, 'base64');
		const index = images.findIndex((image) => image.bytes.length === bytes.length && image.bytes.equals(bytes));
		return index < 0 ? undefined : index;
	});
	const parts = (modelTurn?.parts ?? []).map((part, n) => (turnImages[n] === undefined || !part.inlineData ? part : { ...part, inlineData: { ...part.inlineData, data: '' } }));
	const answer = {
		...stored.answer,
		images: images.map((image) => ({ ...image, bytes: Buffer.alloc(0) })),
		...(modelTurn ? { modelTurn: { ...modelTurn, parts } } : {}),
	};
	return { ...stored, answer, outputs, turnImages };
}

/** A stored answer with its images' bytes read back (`bytes[i]` for image i), the model's turn refilled. */
function withBytes(stored: StoredAnswer, bytes: Buffer[]): StoredAnswer {
	const { modelTurn } = stored.answer;
	const parts = (modelTurn?.parts ?? []).map((part, n) => {
		const index = stored.turnImages?.[n];
		return index === undefined || !part.inlineData ? part : { ...part, inlineData: { ...part.inlineData, data: bytes[index].toString('base64') } };
	});
	const answer = {
		...stored.answer,
		images: stored.answer.images.map((image, index) => ({ ...image, bytes: bytes[index] })),
		...(modelTurn ? { modelTurn: { ...modelTurn, parts } } : {}),
	};
	return { ...stored, answer };
}

/** The image bytes of an output binary of this execution (a file, or base64 in the item). */
async function outputBytes(context: IExecuteFunctions, binary: IBinaryData): Promise<Buffer> {
	if (binary.id) return await context.helpers.binaryToBuffer(await context.helpers.getBinaryStream(binary.id));
	return Buffer.from(binary.data, BINARY_ENCODING);
}

function answerBytes({ answer }: StoredAnswer): number {
	// The model's turn keeps Google's parts (images as base64) beside the decoded images.
	const turn = answer.modelTurn?.parts.reduce((bytes, part) => bytes + (part.inlineData?.data.length ?? 0) + (part.text?.length ?? 0) + (part.thoughtSignature?.length ?? 0), 0) ?? 0;
	return answer.images.reduce((bytes, image) => bytes + image.bytes.length, 1024 + (answer.text?.length ?? 0) + turn);
}

const MB = 1024 * 1024;
/** Answers kept for identical items within one execution. */
const PER_EXECUTION_CACHE_BYTES = 64 * MB;
/** Opt-in finished answers kept across executions, for the lifetime of the n8n instance. */
const answersAcrossExecutions = new AnswerStore<StoredAnswer>(128 * MB, answerBytes);

/** Secret values of a credential, so they can be scrubbed from anything shown to the user. */
export function secretsOf(authentication: unknown, credentials: ICredentialDataDecryptedObject): string[] {
	return [...backendModule(authentication).secrets(credentials), ...urlSecrets(credentials.baseUrl)];
}

/** n8n's plain HTTP helper (no credential): for the metadata server, which needs none. */
export function plainRequest(context: IExecuteFunctions | ILoadOptionsFunctions): PlainRequest {
	return async (options) => await context.helpers.httpRequest(options);
}

/**
 * n8n's authenticated request helper. n8n replaces a request's `abortSignal` with the execution's
 * cancel signal, which it reads from the context the helper runs on; the helper runs on a view of
 * the context that answers with the request's own signal (which follows the execution's), so an
 * attempt's timeout can end the request.
 *
 * `credentials` are the ones n8n decrypted for this execution: handed back to the helper, n8n
 * skips its per-request database read and decryption (about a millisecond of n8n's one thread per
 * request) and still runs the credential's `authenticate` and, on a 401, its token refresh, which
 * writes the new token into this same object (and the database) for the requests after it.
 */
export function authenticatedRequest(
	context: IExecuteFunctions,
	credentialType: string,
	credentials: ICredentialDataDecryptedObject,
): AuthenticatedRequest {
	const saved = context.getNode().credentials?.[credentialType];
	const decrypted = saved?.id ? { credentialsDecrypted: { id: saved.id, name: saved.name, type: credentialType, data: credentials } } : undefined;
	return async (type, options) => {
		const { abortSignal } = options;
		const target: IExecuteFunctions = abortSignal
			? Object.create(context, { getExecutionCancelSignal: { value: () => abortSignal } })
			: context;
		return await context.helpers.httpRequestWithAuthentication.call(target, type, options, type === credentialType ? decrypted : undefined);
	};
}

export function cancelSignalOf(context: IExecuteFunctions): AbortSignal | undefined {
	return typeof context.getExecutionCancelSignal === 'function' ? context.getExecutionCancelSignal() : undefined;
}

/** Settings that hold for the whole execution are read from the first item. */
export async function createRunContext(context: IExecuteFunctions): Promise<RunContext> {
	const authentication = context.getNodeParameter('authentication', 0);
	const options = readOptions(context.getNodeParameter('options', 0, {}), RUN_OPTIONS);
	const module = backendModule(authentication);
	const credentials = await context.getCredentials(module.credentialType);
	const secrets = secretsOf(authentication, credentials);
	const backend = await module.resolve(credentials, plainRequest(context));
	const identity = credentialIdentity(backend.credentialType, credentials);
	const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
	const signal = cancelSignalOf(context);
	const log = nodeLog(loggerOf(context), secrets, {
		node: context.getNode().name,
		workflowId: context.getWorkflow().id,
		executionId: context.getExecutionId(),
	});
	// One gate per credential and model in this n8n process, shared with every execution there.
	const gates = new ExecutionGates(processGates, identity, options.requestsPerMinute ?? 0);
	const callOptions: CallOptions = {
		policy: { ...DEFAULT_RETRY_POLICY, maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES },
		timeoutMs,
		gate: gates.forBatches(),
		secrets,
		signal,
		refusal: backend.refusalMeansCredential ? new CredentialRefusal() : undefined,
		log,
	};
	const authenticated = authenticatedRequest(context, backend.credentialType, credentials);
	let answered = false;
	const request: AuthenticatedRequest = async (type, requestOptions) => {
		try {
			return await authenticated(type, requestOptions);
		} finally {
			answered = true; // n8n fetched the token (or found it stored) before sending
		}
	};
	// Requests in flight are shared within this execution only; other executions see finished answers.
	// This execution's own store reads kept images back from its output binaries; the store shared
	// by executions keeps the bytes (another execution's binaries are not this one's to read).
	const ownStore = options.reuseAnswersAcrossExecutions ? undefined : new AnswerStore<StoredAnswer>(PER_EXECUTION_CACHE_BYTES, answerBytes);
	const cache = new AnswerCache<StoredAnswer>(ownStore ?? answersAcrossExecutions, (error) => error instanceof NoImageError);
	const cost = new CostSession({
		maxCostPerExecution: options.maxCostPerExecution,
		maxCostPerDay: options.maxCostPerDay,
		staticData: () => context.getWorkflowStaticData('node'),
		dayKey: `${context.getWorkflow().id ?? ''}\n${context.getNode().id ?? context.getNode().name}`,
		reportTokens: n8nTokenReporter(context),
	});
	return {
		backend,
		cost,
		maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
		timeoutMs,
		itemTimeBudgetMs: (options.itemTimeBudget ?? DEFAULT_ITEM_TIME_BUDGET_SECONDS) * 1000,
		secrets,
		signal,
		log,
		request,
		callOptions,
		generate: async (modelId, encoded, deadlineAt, itemLog = log, shape = UNKNOWN_SHAPE) => {
			// Answers are shared only between requests made for the same credential identity (never
			// keyed on a token, which is empty until the first exchange).
			const key = `${identity}\n${backend.generateContentUrl(modelId)}\n${encoded.digest}`;
			const ask = async () => await cache.get(key, async (): Promise<StoredAnswer> => {
				// Held from before the first attempt to the answer: retries cost nothing more.
				const reservation = await cost.reserve(modelId, [shape], false);
				try {
					const { response, attempts } = await generateContent(request, backend, modelId, encoded.body, {
						...callOptions,
						gate: gates.forModel(modelId),
						deadlineAt,
						log: itemLog.with({ model: modelId }),
					});
					// Billed whether or not it holds an image.
					const itemCost = cost.answered(reservation, modelId, response.usageMetadata, false);
					// Judged before it is kept: only an answer with images is shared or stored.
					const images = imageAnswerFrom(response);
					cost.countImages(images.images.length);
					return { answer: images, attempts, cost: itemCost };
				} finally {
					reservation.end();
				}
			});
			let { answer, shared } = await ask();
			if (answer.outputs) {
				const outputs = answer.outputs;
				try {
					answer = withBytes(answer, await Promise.all(answer.answer.images.map(async (_, index) => await outputBytes(context, outputs[index]))));
				} catch (error) {
					// The earlier item's binary could not be read back: ask Google again rather than fail.
					itemLog.debug('a kept answer could not be read back from its output; asking again', { reason: error instanceof Error ? error.name : 'unknown' });
					ownStore?.delete(key);
					({ answer, shared } = await ask());
				}
			}
			const generated: Answer = { ...answer };
			delete (generated as StoredAnswer).outputs;
			delete (generated as StoredAnswer).turnImages;
			// Only this execution's store trades bytes for its outputs, and only for the item that asked.
			const keptAs = ownStore && !shared ? (binaries: IBinaryData[]) => ownStore.set(key, withoutBytes(generated, binaries)) : undefined;
			return { ...generated, shared, cost: shared ? cost.shared(false) : generated.cost, ...(keptAs ? { keptAs } : {}) };
		},
		upload: async (source, deadlineAt, itemLog = log) =>
			await uploadFile(request, backend, source, { ...callOptions, gate: gates.forFiles(), deadlineAt, log: itemLog }),
		awaitingToken: () => backend.firstRequestFetchesToken && !answered,
		close: () => {
			gates.leaveAll();
			const line = cost.close();
			if (line) log.info(line, { ...cost.totals });
		},
	};
}
