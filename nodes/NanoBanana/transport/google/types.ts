/**
 * The slice of Google's `generateContent` wire format this node speaks, named as the API names it
 * (see `GenerateContentRequest` / `GenerateContentResponse` in Google's protos and `@google/genai`).
 * Everything arriving from the network is parsed into these types in `parse.ts`; nothing else in
 * the node touches raw JSON from Google.
 */

export interface InlineData {
	mimeType: string;
	/** base64 */
	data: string;
}

export interface FileData {
	mimeType: string;
	fileUri: string;
}

export interface Part {
	text?: string;
	inlineData?: InlineData;
	fileData?: FileData;
	/** Thought parts are the model's reasoning, never output. */
	thought?: boolean;
	/**
	 * Google's opaque token for the model's reasoning behind this part; a later turn that sends the
	 * model's turn back must send it unchanged.
	 */
	thoughtSignature?: string;
}

export interface Content {
	role?: 'user' | 'model';
	parts: Part[];
}

export type ResponseModality = 'TEXT' | 'IMAGE';

export interface ImageConfig {
	aspectRatio?: string;
	imageSize?: string;
	/** Vertex AI only. */
	imageOutputOptions?: { mimeType: string; compressionQuality?: number };
	/** Vertex AI only: ALLOW_ALL, ALLOW_ADULT, ALLOW_NONE. */
	personGeneration?: string;
}

/**
 * Google Search grounding: `{ googleSearch: {} }` searches the web; `searchTypes` (as in
 * `@google/genai` GoogleSearch.searchTypes) adds image search.
 */
export interface Tool {
	googleSearch: {
		searchTypes?: { webSearch?: Record<string, never>; imageSearch?: Record<string, never> };
	};
}

/** `@google/genai` ThinkingConfig, as this node sends it. */
export interface ThinkingConfig {
	/** The ThinkingLevel enum name: MINIMAL, LOW, MEDIUM, HIGH (XHIGH on newer models). */
	thinkingLevel?: string;
	/** Return thought summaries as text parts marked `thought: true`. */
	includeThoughts?: boolean;
}

export interface GenerationConfig {
	responseModalities: ResponseModality[];
	imageConfig?: ImageConfig;
	temperature?: number;
	seed?: number;
	candidateCount?: number;
	thinkingConfig?: ThinkingConfig;
}

/**
 * A request part as this node builds it: inline images stay raw bytes until the body is encoded,
 * so an image is never held as a base64 string and as JSON text at the same time.
 */
export interface RequestPart {
	text?: string;
	inlineData?: { mimeType: string; data: Buffer };
	fileData?: FileData;
	/** On a `model` turn sent back: whether the part was a thought, and its signature, as Google sent them. */
	thought?: boolean;
	thoughtSignature?: string;
}

/**
 * One turn of a request: the user's (prompt, images) or, for a conversation that continues, the
 * model's earlier answer sent back as Google gave it.
 */
export interface RequestContent {
	role: 'user' | 'model';
	parts: RequestPart[];
}

export interface GenerateContentRequest {
	/** The turns in order; the last is the user's new one. */
	contents: RequestContent[];
	systemInstruction?: { parts: Array<{ text: string }> };
	generationConfig: GenerationConfig;
	tools?: Tool[];
}

/** A `groundingChunks` entry: `web {uri, title}` or `image {sourceUri, imageUri, title, domain}`. */
export interface GroundingSource {
	/** The web page (for an image: the page it is on, `sourceUri`). */
	uri?: string;
	title?: string;
	/** Image search results only. */
	imageUri?: string;
	domain?: string;
}

/** What a grounded answer says about its searches; Google's terms require showing it with the result. */
export interface GroundingMetadata {
	webSearchQueries?: string[];
	imageSearchQueries?: string[];
	/** The web pages and images the answer drew on (an image source adds its image link and domain). */
	sources: GroundingSource[];
	/** `searchEntryPoint.renderedContent`: HTML of the search suggestions to show. */
	searchEntryPoint?: string;
}

export interface Candidate {
	content?: Content;
	groundingMetadata?: GroundingMetadata;
	finishReason?: string;
	/** Vertex explains blocked finish reasons here. */
	finishMessage?: string;
	index?: number;
}

export interface PromptFeedback {
	blockReason?: string;
	blockReasonMessage?: string;
}

/** Tokens of one modality (TEXT, IMAGE, …) within a usage count. */
export interface ModalityTokenCount {
	modality: string;
	tokenCount: number;
}

export interface UsageMetadata {
	promptTokenCount?: number;
	/** Includes the IMAGE tokens of `candidatesTokensDetails`. */
	candidatesTokenCount?: number;
	/** Counted apart from `candidatesTokenCount`; billed at the text output rate. */
	thoughtsTokenCount?: number;
	totalTokenCount?: number;
	promptTokensDetails?: ModalityTokenCount[];
	candidatesTokensDetails?: ModalityTokenCount[];
}

export interface GenerateContentResponse {
	candidates: Candidate[];
	promptFeedback?: PromptFeedback;
	usageMetadata?: UsageMetadata;
	modelVersion?: string;
	responseId?: string;
}

/** `google.rpc.Status` details this node acts on. */
export interface ErrorDetails {
	/** `google.rpc.RetryInfo.retryDelay`, in milliseconds. */
	retryDelayMs?: number;
	/** `google.rpc.ErrorInfo.reason`, e.g. API_KEY_INVALID, SERVICE_DISABLED. */
	reason?: string;
	/** `google.rpc.QuotaFailure` violations: quota ids and their descriptions. */
	quotaViolations: Array<{ quotaId?: string; description?: string }>;
	/** `google.rpc.Help` links and ErrorInfo metadata such as `activationUrl`. */
	helpUrl?: string;
}

/** Google's error body `{ error: { code, message, status, details } }`, parsed. */
export interface GoogleApiError {
	code: number;
	message: string;
	status?: string;
	details: ErrorDetails;
}

export interface Model {
	/** `models/<id>` (Gemini API) or `publishers/google/models/…` (Vertex). */
	name: string;
	displayName?: string;
	description?: string;
	supportedGenerationMethods?: string[];
}

export type BatchState =
	| 'BATCH_STATE_PENDING'
	| 'BATCH_STATE_RUNNING'
	| 'BATCH_STATE_SUCCEEDED'
	| 'BATCH_STATE_FAILED'
	| 'BATCH_STATE_CANCELLED'
	| 'BATCH_STATE_EXPIRED';

/** `GenerateContentBatch.batchStats` (int64 counts arrive as strings). */
export interface BatchStats {
	requestCount?: number;
	successfulRequestCount?: number;
	failedRequestCount?: number;
	pendingRequestCount?: number;
}

/** The answer to one request of a batch: a generateContent answer or an error, with the key we gave it. */
export interface BatchItemResult {
	key: string;
	response?: GenerateContentResponse;
	error?: GoogleApiError;
}

/** A batch job (the Gemini API's `batches/…` operation), as far as this node reads it. */
export interface BatchJob {
	/** `batches/…` */
	name: string;
	displayName?: string;
	/** `models/…` */
	model?: string;
	/** An unknown state is kept as sent, and treated as "not finished". */
	state: BatchState | string;
	stats: BatchStats;
	/** Results of inline requests. */
	inlinedResponses?: BatchItemResult[];
	/** `files/…` holding the JSONL results of a file-based job. */
	responsesFile?: string;
	/** Why the job failed, when it did. */
	error?: GoogleApiError;
	/** When the job ended (RFC 3339), once it has: its results are kept for 48 hours from then. */
	endTime?: string;
}
