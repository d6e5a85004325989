/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/node-usable-as-tool -- test code, run by Node, not n8n (README: Lint) */
/**
 * Runs the Nano Banana node inside n8n's real execution engine.
 *
 * n8n's own code (n8n-core / n8n-workflow 2.11.1), unchanged:
 *   - `Workflow` (default parameters, expression engine), `WorkflowExecute.processRunExecutionData`
 *     (node order, `continueOnFail`, error-output routing via `handleNodeErrorOutput`, pairedItem,
 *     cancellation through its PCancelable / AbortController),
 *   - `ExecuteContext` and every helper the node calls: `getNodeParameter`, `getCredentials`,
 *     `helpers.getBinaryDataBuffer`, `helpers.prepareBinaryData`,
 *     `helpers.httpRequestWithAuthentication` (real axios over real HTTP; n8n's 401 → refresh → retry),
 *   - `BinaryDataService` with its `FileSystemManager` (n8n 2.x default "filesystem" mode: binary
 *     `data` is only a marker, bytes live on disk),
 *   - `ExecutionLifecycleHooks`.
 *
 * Written here, standing in for n8n's server package (packages/cli), which is not installed:
 *   - `TestCredentialsHelper`: the credential store ("database") plus the parts of n8n's
 *     `CredentialsHelper` the node relies on — generic `authenticate` (templates resolved by the
 *     workflow's real expression engine, like n8n does) and `preAuthentication` (runs when the
 *     expirable field is empty or after a 401, persists the result), modelled on
 *     packages/cli/src/credentials-helper.ts;
 *   - the fixture start node (emits the given items, storing their binaries through
 *     `prepareBinaryData` like "Read Files from Disk" would) and a pass-through sink node;
 *   - `NodeTypes` and the `additionalData` object;
 *   - an `ErrorReporter` stand-in (n8n's reports to Sentry; here it records).
 */
import { N8N_TEST_HOME } from './env';

import { rmSync } from 'fs';
import { join } from 'path';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { BinaryDataService, ErrorReporter, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { BinaryDataConfig } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	createRunExecutionData,
	ICredentialsHelper,
	isExpression,
	NodeConnectionTypes,
	Workflow,
} from 'n8n-workflow';
import type {
	ExecutionError,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialsEncrypted,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	ITaskData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { NanoBananaAiStudioApi } from '../../credentials/NanoBananaAiStudioApi.credentials';
import { NanoBananaVertexAiApi } from '../../credentials/NanoBananaVertexAiApi.credentials';
import { NanoBanana } from '../../nodes/NanoBanana/NanoBanana.node';
import { processGates } from '../../nodes/NanoBanana/transport/pacing/gateRegistry';

export const NANO_BANANA_TYPE = 'n8n-nodes-gemini-nano-banana.nanoBanana';
export const START_TYPE = 'test.fixtureStart';
export const SINK_TYPE = 'test.sink';
export const WORKFLOW_ID = 'nano-banana-node-test';

export const START = 'Start';
export const NODE = 'Nano Banana';
export const SUCCESS_SINK = 'On Success';
export const ERROR_SINK = 'On Error';

// ------------------------------------------------------------------------------------------------
// Node types

/** One input item: json plus binaries given as bytes; the start node stores them through n8n. */
export interface FixtureItem {
	json?: IDataObject;
	/**
	 * `recordedSize: false` stores the file without its size in the item (`bytes` unset), as
	 * binaries written by older n8n versions and some nodes are.
	 */
	binary?: Record<string, { bytes: Buffer; fileName?: string; mimeType: string; recordedSize?: false }>;
}

interface SerializedFixture {
	json: IDataObject;
	binary: Record<string, { base64: string; fileName?: string; mimeType: string; recordedSize?: false }>;
}

/** Emits the fixture items, like a Manual Trigger followed by "Read Files from Disk". */
class FixtureStart implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Fixture Start',
		name: 'fixtureStart',
		group: ['input'],
		version: 1,
		description: 'Emits the test items',
		defaults: { name: START },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'string', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const fixtures = JSON.parse(this.getNodeParameter('items', 0) as string) as SerializedFixture[];
		const items: INodeExecutionData[] = [];
		for (const fixture of fixtures) {
			const binary: Record<string, IBinaryData> = {};
			for (const [field, file] of Object.entries(fixture.binary)) {
				binary[field] = await this.helpers.prepareBinaryData(
					Buffer.from(file.base64, 'base64'),
					file.fileName,
					file.mimeType,
				);
				if (file.recordedSize === false) delete binary[field].bytes;
			}
			items.push({
				json: fixture.json,
				...(Object.keys(binary).length > 0 ? { binary } : {}),
				pairedItem: { item: 0 },
			});
		}
		return [items];
	}
}

/** Passes its input on, so the run data shows what reached each branch. */
class Sink implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Sink',
		name: 'sink',
		group: ['transform'],
		version: 1,
		description: 'Collects items',
		defaults: { name: 'Sink' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}
}

const NODE_TYPES: Record<string, INodeType> = {
	[NANO_BANANA_TYPE]: new NanoBanana(),
	[START_TYPE]: new FixtureStart(),
	[SINK_TYPE]: new Sink(),
};

export const nodeTypes: INodeTypes = {
	getByName: (type) => {
		const nodeType = NODE_TYPES[type];
		if (!nodeType) throw new Error(`Unknown node type ${type}`);
		return nodeType;
	},
	getByNameAndVersion: (type) => {
		const nodeType = NODE_TYPES[type];
		if (!nodeType) throw new Error(`Unknown node type ${type}`);
		return nodeType;
	},
	getKnownTypes: () => ({}),
};

// ------------------------------------------------------------------------------------------------
// Credentials

export const CREDENTIAL_TYPES: Record<string, ICredentialType> = {
	nanoBananaAiStudioApi: new NanoBananaAiStudioApi(),
	nanoBananaVertexAiApi: new NanoBananaVertexAiApi(),
};

export interface PreAuthenticationCall {
	type: string;
	expired: boolean;
	/** Whether the credential type's preAuthentication really ran (n8n skips it while a token is stored). */
	ran: boolean;
}

class StoredCredentials implements ICredentials {
	readonly id: string;
	readonly name: string;
	readonly type: string;
	data: string | undefined;

	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private readonly plain: ICredentialDataDecryptedObject,
	) {
		this.id = details.id ?? '';
		this.name = details.name;
		this.type = type;
		this.data = undefined;
	}

	getData(): ICredentialDataDecryptedObject {
		return structuredClone(this.plain);
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: undefined };
	}

	setData(): void {
		throw new Error('not supported in tests');
	}
}

/**
 * The credential store and the slice of n8n's CredentialsHelper (packages/cli) that
 * httpRequestWithAuthentication uses. Stored data survives across executions of one test file,
 * like n8n's database, so a token fetched once is reused until Google refuses it.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly store = new Map<string, ICredentialDataDecryptedObject>();

	readonly preAuthenticationCalls: PreAuthenticationCall[] = [];

	readonly decryptions: string[] = [];

	private key(details: INodeCredentialsDetails, type: string): string {
		return `${type}:${details.id ?? details.name}`;
	}

	set(id: string, type: string, data: ICredentialDataDecryptedObject): INodeCredentialsDetails {
		if (!CREDENTIAL_TYPES[type]) throw new Error(`Unknown credential type ${type}`);
		const details = { id, name: `${type} ${id}` };
		this.store.set(this.key(details, type), structuredClone(data));
		return details;
	}

	/** What the "database" holds now (e.g. the stored access token). */
	stored(id: string, type: string): ICredentialDataDecryptedObject | undefined {
		const data = this.store.get(this.key({ id, name: '' }, type));
		return data && structuredClone(data);
	}

	getParentTypes(name: string): string[] {
		return CREDENTIAL_TYPES[name]?.extends ?? [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions;
		const { authenticate } = CREDENTIAL_TYPES[typeName] ?? {};
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type === 'generic') {
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			const target = requestOptions as unknown as Record<string, Record<string, string> | undefined>;
			for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
				const bag = (target[outerKey] ??= {});
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					bag[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = CREDENTIAL_TYPES[typeName];
		const expirable = credentialType?.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		const call: PreAuthenticationCall = { type: typeName, expired: credentialsExpired, ran: false };
		this.preAuthenticationCalls.push(call);
		if (!credentialType || !expirable || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		call.ran = true;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const details = node.credentials?.[typeName];
		if (details) {
			const key = this.key(details, typeName);
			this.store.set(key, { ...(this.store.get(key) ?? {}), ...(structuredClone(output) as ICredentialDataDecryptedObject) });
		}
		return Object.assign(credentials, output);
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const data = this.store.get(this.key(details, type));
		if (!data) throw new Error(`No credential ${type} ${details.id}`);
		return new StoredCredentials(details, type, data);
	}

	/** A fresh copy with the type's defaults applied, as n8n's getDecrypted returns. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		this.decryptions.push(type);
		const data = this.store.get(this.key(details, type));
		if (!data) throw new Error(`Credential ${type} "${details.id}" does not exist`);
		const decrypted = structuredClone(data);
		for (const property of this.getCredentialsProperties(type)) {
			if (decrypted[property.name] === undefined && property.default !== undefined) {
				decrypted[property.name] = property.default as ICredentialDataDecryptedObject[string];
			}
		}
		return decrypted;
	}

	async updateCredentials(
		details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.set(this.key(details, type), structuredClone(data));
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return CREDENTIAL_TYPES[type]?.properties ?? [];
	}
}

export const credentialsHelper = new TestCredentialsHelper();

// ------------------------------------------------------------------------------------------------
// n8n services the execution needs from the DI container

export interface ReportedError {
	error: unknown;
	extra: unknown;
}

export const reportedErrors: ReportedError[] = [];

let servicesReady: Promise<BinaryDataService> | undefined;

/** A line written to n8n's logger (`this.logger` in nodes, which n8n-core takes from its container). */
export interface LoggedLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata: Record<string, unknown>;
}

/** Every line logged since the services were set up; each run's own lines are in `RunResult.log`. */
export const loggedLines: LoggedLine[] = [];

/** n8n's Logger, recording instead of printing (at every level, as with N8N_LOG_LEVEL=debug). */
const recordingLogger = {
	error: (message: string, metadata: Record<string, unknown> = {}) => loggedLines.push({ level: 'error', message, metadata }),
	warn: (message: string, metadata: Record<string, unknown> = {}) => loggedLines.push({ level: 'warn', message, metadata }),
	info: (message: string, metadata: Record<string, unknown> = {}) => loggedLines.push({ level: 'info', message, metadata }),
	debug: (message: string, metadata: Record<string, unknown> = {}) => loggedLines.push({ level: 'debug', message, metadata }),
	scoped: () => recordingLogger,
};

/** BinaryDataService in n8n's default filesystem mode under a temp folder; a recording ErrorReporter. */
export async function setUpN8nServices(): Promise<BinaryDataService> {
	servicesReady ??= (async () => {
		const logger = { error() {}, warn() {}, info() {}, debug() {}, scoped() { return logger; } };
		const errorReporter = {
			error: (error: unknown, options?: { extra?: unknown }) => reportedErrors.push({ error, extra: options?.extra }),
			warn() {},
			info() {},
		};
		const config = {
			mode: 'filesystem',
			availableModes: ['filesystem'],
			localStoragePath: join(N8N_TEST_HOME, 'binaryData'),
			signingSecret: 'nano-banana-node-tests',
			dbMaxFileSize: 512,
		} as unknown as BinaryDataConfig;
		const service = new BinaryDataService(
			config,
			errorReporter as unknown as ErrorReporter,
			logger as unknown as ConstructorParameters<typeof BinaryDataService>[2],
		);
		await service.init();
		Container.set(BinaryDataService, service);
		Container.set(ErrorReporter, errorReporter as unknown as ErrorReporter);
		Container.set(Logger, recordingLogger as unknown as Logger);
		// n8n-core builds this on the first node execution; its cleanup interval would keep jest alive.
		const ssh = Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout };
		ssh.cleanupTimer?.unref();
		return service;
	})();
	return await servicesReady;
}

/** Stops n8n's background timers and removes the temp folder; call in afterAll. */
export async function tearDownN8nServices(): Promise<void> {
	if (servicesReady) {
		const manager = Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout };
		if (manager.cleanupTimer) clearInterval(manager.cleanupTimer);
	}
	rmSync(N8N_TEST_HOME, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------
// Running a workflow

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface RunOptions {
	items: FixtureItem[];
	/** Parameters of the Nano Banana node (n8n fills in the defaults). */
	parameters: INodeParameters;
	credential: { type: 'nanoBananaAiStudioApi' | 'nanoBananaVertexAiApi'; id: string };
	onError?: OnError;
	/** The older node setting; n8n reads `onError` first. */
	continueOnFail?: boolean;
	/** The Nano Banana node's version (default 1, what the older tests were written for). */
	typeVersion?: number;
	/** Aborting it stops the execution the way n8n's "Stop" button does (PCancelable.cancel). */
	signal?: AbortSignal;
	/**
	 * The workflow's static data, as n8n loads it from the database: pass the same object to
	 * several runs to stand for n8n saving it after each (non-manual) execution.
	 */
	staticData?: IDataObject;
}

export interface RunResult {
	run: IRun;
	/** Status of the run data the engine returned. */
	status: IRun['status'];
	/**
	 * Status n8n saves: the first `workflowExecuteAfter` hook. On "Stop" n8n runs it at once with
	 * "canceled" and skips it when the node's execute later returns.
	 */
	savedStatus?: IRun['status'];
	/** The execution's error (set when the node threw). */
	error?: ExecutionError;
	/** The node's task data: its error, hints, execution status. */
	task?: ITaskData;
	/** Nano Banana's outputs: [main 0] or [main 0, error output]. */
	outputs: INodeExecutionData[][];
	/** What reached the sink nodes behind output 0 and the error output. */
	successSink: INodeExecutionData[];
	errorSink: INodeExecutionData[];
	elapsedMs: number;
	/** What was written to n8n's logger during the run. */
	log: LoggedLine[];
	/** Bytes of a binary field, read back through n8n's BinaryDataService. */
	bytes(item: INodeExecutionData, field?: string): Promise<Buffer>;
}

let executionCounter = 0;

function serializeItems(items: FixtureItem[]): string {
	const serialized: SerializedFixture[] = items.map((item) => ({
		json: item.json ?? {},
		binary: Object.fromEntries(
			Object.entries(item.binary ?? {}).map(([field, file]) => [
				field,
				{ base64: file.bytes.toString('base64'), fileName: file.fileName, mimeType: file.mimeType, recordedSize: file.recordedSize },
			]),
		),
	}));
	return JSON.stringify(serialized);
}

function mainOutputs(task: ITaskData | undefined): INodeExecutionData[][] {
	return (task?.data?.main ?? []).map((output) => output ?? []);
}

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	// Each run here stands for a fresh n8n process: what one test's 429s taught the process-wide
	// gate (pauses, a learned pace) must not slow the next. Sharing across executions is
	// tested in test/unit/gate.test.ts and measured by the benchmark.
	processGates.clear();
	const binaryDataService = await setUpN8nServices();
	const executionId = `exec-${++executionCounter}`;
	const nodes: INode[] = [
		{
			id: 'start',
			name: START,
			type: START_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: serializeItems(options.items) },
		},
		{
			id: 'nano-banana',
			name: NODE,
			type: NANO_BANANA_TYPE,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: {
				[options.credential.type]: { id: options.credential.id, name: `${options.credential.type} ${options.credential.id}` },
			},
			...(options.onError ? { onError: options.onError } : {}),
			...(options.continueOnFail !== undefined ? { continueOnFail: options.continueOnFail } : {}),
		},
		{ id: 'success', name: SUCCESS_SINK, type: SINK_TYPE, typeVersion: 1, position: [400, 0], parameters: {} },
		{ id: 'error', name: ERROR_SINK, type: SINK_TYPE, typeVersion: 1, position: [400, 200], parameters: {} },
	];
	const nanoBananaOutputs = [[{ node: SUCCESS_SINK, type: NodeConnectionTypes.Main, index: 0 }]];
	if (options.onError === 'continueErrorOutput') {
		nanoBananaOutputs.push([{ node: ERROR_SINK, type: NodeConnectionTypes.Main, index: 0 }]);
	}
	const connections: IConnections = {
		[START]: { main: [[{ node: NODE, type: NodeConnectionTypes.Main, index: 0 }]] },
		[NODE]: { main: nanoBananaOutputs },
	};

	const workflow = new Workflow({
		id: WORKFLOW_ID,
		name: 'Nano Banana test',
		nodes,
		connections,
		nodeTypes,
		active: false,
		settings: {},
		staticData: options.staticData,
	});
	const workflowData: IWorkflowBase = {
		id: WORKFLOW_ID,
		name: 'Nano Banana test',
		nodes,
		connections,
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
		isArchived: false,
	} as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const savedRuns: IRun[] = [];
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
		savedRuns.push({ ...fullRunData, status: fullRunData.status });
	});
	const additionalData = {
		hooks,
		credentialsHelper,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not available in tests');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not available in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const startNode = workflow.getNode(START);
	if (!startNode) throw new Error('start node missing');
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }] },
	});

	const started = Date.now();
	const firstLogLine = loggedLines.length;
	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const execution = workflowExecute.processRunExecutionData(workflow);
	const onAbort = () => execution.cancel();
	if (options.signal?.aborted) onAbort();
	options.signal?.addEventListener('abort', onAbort, { once: true });
	let run: IRun;
	try {
		run = await execution;
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
	}
	const elapsedMs = Date.now() - started;

	const runData = run.data.resultData.runData;
	const task = runData[NODE]?.[0];
	return {
		run,
		status: run.status,
		savedStatus: savedRuns[0]?.status,
		error: run.data.resultData.error,
		task,
		outputs: mainOutputs(task),
		successSink: mainOutputs(runData[SUCCESS_SINK]?.[0])[0] ?? [],
		errorSink: mainOutputs(runData[ERROR_SINK]?.[0])[0] ?? [],
		elapsedMs,
		log: loggedLines.slice(firstLogLine),
		bytes: async (item, field = 'data') => {
			const binary = item.binary?.[field];
			if (!binary) throw new Error(`item has no binary field "${field}"`);
			return await binaryDataService.getAsBuffer(binary);
		},
	};
}
