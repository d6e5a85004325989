// Types for TypeScript consumers (jest tests, e2e launcher, benchmarks) of server.js.
// server.js is plain CommonJS with JSDoc so it runs under `node` without compilation;
// keep this file in step with it (the emulator's own .test.ts files type-check against it).

export interface EmulatorOptions {
  /** 0 = random free port. Start-time only. */
  port: number;
  /** Default 127.0.0.1. Start-time only. */
  host: string;
  /** The accepted AI Studio key. Default 'emulator-api-key'. */
  apiKey: string;
  /** The accepted Vertex AI API key (express mode and project paths). Default 'emulator-vertex-api-key'. */
  vertexApiKey: string;
  /** Added to every generateContent call (and to a batch create's answer, after the job exists). Default 0. */
  latencyMs: number;
  /** Concurrent generateContent calls accepted; more get 429. Default Infinity (null over HTTP). */
  maxInFlight: number;
  /** generateContent calls per sliding 60 s; more get 429 with RetryInfo. Default Infinity. */
  rpm: number;
  /** generateContent starts per clock second (fixed window); more get 429 with RetryInfo only. Default Infinity. */
  startsPerSecond: number;
  /** generateContent starts per clock minute (fixed window); more get 429 naming the per-minute quota. Default Infinity. */
  startsPerMinute: number;
  /** Lifetime of issued access tokens. Default 3600. */
  tokenTtlSeconds: number;
  /** Request body limit (Gemini inline limit). Default 100 MB. */
  maxRequestBytes: number;
  /** Per inline image on Vertex. Default 7 MB. */
  vertexMaxInlineBytes: number;
  /** Uploaded files report state PROCESSING for this long. Default 0. */
  fileProcessingMs: number;
  /** Gemini 3 answers include thought parts. Default true. */
  thoughts: boolean;
  /** One line per request on stderr. Default false. */
  verbose: boolean;
  /** Batch jobs stay BATCH_STATE_PENDING this long. Default 0. */
  batchPendingMs: number;
  /** Then BATCH_STATE_RUNNING this long. Default 1000. */
  batchRunMs: number;
  /** How batch jobs end. Default 'SUCCEEDED'. */
  batchOutcome: 'SUCCEEDED' | 'FAILED' | 'EXPIRED';
  /** > 0: the first download of each file stops after this many bytes (socket destroyed). Default 0. */
  dropDownloadsAfterBytes: number;
  /** > 0: every download is spread evenly over this long (20 pieces): slow but healthy. Default 0. */
  downloadDurationMs: number;
  /** The next N batch creates make their job, then drop the answer (socket destroyed). Default 0. */
  dropBatchCreateAnswers: number;
  /** The next N batches.get answer 503 UNAVAILABLE. Default 0. */
  failBatchGets: number;
  /** A new job shows in batches.list only after this long (Google's lists lag). Default 0. */
  batchListDelayMs: number;
  batchAnswerBytes: number;
  batchGetDurationMs: number;
  /** The next N resumable upload chunks are stored, then their answer is dropped. Default 0. */
  dropUploadAnswers: number;
  /** x-goog-upload-chunk-granularity of new upload sessions. Default 8 MiB. */
  uploadChunkGranularity: number;
  /** > 0: a request to an upload URL with a bigger body is refused with 413. Default 0. */
  refuseUploadsOverBytes: number;
  /**
   * Model ids this project may not use (Google closed them to new projects, e.g.
   * 'gemini-2.5-flash-image' since 2026-09): 404 NOT_FOUND on every method, left out of the
   * model lists. Default []. Also takes one comma-separated string ("models/" prefixes dropped).
   */
  batchQuotaSpentModels: string[];
  closedModels: string[];
  /**
   * Model ids Google shut down: 404 NOT_FOUND like an unknown id, left out of the model lists.
   * Default: every -preview image id and the Imagen ids (RETIRED_MODELS); [] serves the preview
   * ids again.
   */
  retiredModels: string[];
}

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface LogEntry {
  t: number;
  method: string;
  path: string;
  /** 0 when the response never completed (hang, drop, client abort). */
  status: number;
  backend?: 'gemini' | 'vertex';
  model?: string;
  prompt?: string;
  attempt?: number;
  directives?: string[];
  aborted?: boolean;
  /** A Vertex express-mode call (no project in the path). */
  expressMode?: boolean;
  /** generationConfig.thinkingConfig as received (camelCase), when the request had one and passed validation. */
  thinkingConfig?: { thinkingLevel?: string; includeThoughts?: boolean; thinkingBudget?: number };
  /** The googleSearch tool's search types, when the request had the tool and passed validation. */
  googleSearch?: { webSearch: boolean; imageSearch: boolean };
  /** A request that sent model turns back (a conversation): how many, and sha256 (hex) of their non-thought images. */
  conversation?: { modelTurns: number; modelImages: string[] };
}

export interface Counters {
  requests: number;
  generateContent: number;
  countTokens: number;
  inFlight: number;
  maxInFlight: number;
  maxConcurrentAttempts: number;
  rejectedInFlight: number;
  rateLimited: number;
  tokenExchanges: number;
  tokenErrors: number;
  keyInHeader: number;
  keyInQuery: number;
  bearerRequests: number;
  selfSignedJwtRequests: number;
  /** Vertex API keys seen in `x-goog-api-key` / in `?key=`. */
  vertexKeyInHeader: number;
  vertexKeyInQuery: number;
  /** Metadata server: answered token and project-id requests, and refused ones (no Metadata-Flavor). */
  metadataTokenRequests: number;
  metadataProjectRequests: number;
  metadataRefused: number;
  uploads: number;
  /** batchGenerateContent jobs created, and the requests in them. */
  batchCreates: number;
  batchRequests: number;
  batchGets: number;
  batchLists: number;
  batchCancels: number;
  batchDeletes: number;
  /** Job resources sent with their inline results (get and list). */
  inlineResultReads: number;
  /** Files downloaded with `:download?alt=media`. */
  downloads: number;
  byModel: Record<string, number>;
  byBackend: Record<string, number>;
  byStatus: Record<string, number>;
  log: LogEntry[];
}

export interface AccessToken {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface Emulator {
  readonly url: string;
  readonly apiKey: string;
  readonly serviceAccountKey: ServiceAccountKey;
  /** Live object: read it any time; reset() zeroes it in place. */
  readonly counters: Counters;
  readonly options: EmulatorOptions;
  configure(partial: Partial<Omit<EmulatorOptions, 'port' | 'host'>>): EmulatorOptions;
  /** Zeroes counters and forgets xN attempts and the rpm window (files and tokens stay). */
  reset(): void;
  /** Counters plus `options` (Infinity as null) and `files`, as GET /__emulator/state returns. */
  state(): Counters & { options: Record<string, unknown>; files: number; batches: number };
  issueAccessToken(scopes?: string[]): AccessToken;
  expireTokens(): void;
  close(): Promise<void>;
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  text: Record<string, string>;
  /** Parsed `nano-banana-emulator` tEXt chunk, null on other PNGs. */
  meta: EmulatorImageMeta | null;
}

export interface EmulatorImageMeta {
  prompt: string;
  inputs: string[];
  aspectRatio: string | null;
  imageSize: string | null;
  model: string;
  backend: 'gemini' | 'vertex';
  systemInstruction?: string;
  temperature?: number;
  seed?: number;
  /** In a conversation: the model turns sent back and sha256 (hex) of their non-thought images. */
  modelTurns?: number;
  modelImages?: string[];
  n: number;
  candidate: number;
  thought?: true;
  googleSearch?: true;
  /** googleSearch.searchTypes.imageSearch was on. */
  imageSearch?: true;
  /** thinkingConfig.thinkingLevel as sent (lower case). */
  thinkingLevel?: string;
  outputMimeType?: string;
  compressionQuality?: number;
  personGeneration?: string;
}

export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
  pixel(x: number, y: number): number[];
}

export function startEmulator(options?: Partial<EmulatorOptions>): Promise<Emulator>;
export function readPngInfo(buffer: Buffer): PngInfo;
export function decodePng(buffer: Buffer): DecodedPng;
export function encodePng(image: {
  width: number;
  height: number;
  row: (y: number) => Buffer;
  text?: Record<string, string>;
}): Buffer;
/** A signed JWT-bearer assertion for the token endpoint (defaults: cloud-platform scope, Google's aud, 1 h). */
export function createAssertion(
  key: { client_email: string; private_key: string; private_key_id?: string },
  overrides?: { aud?: string; scope?: string; iat?: number; exp?: number },
): string;
export function signJwt(claims: Record<string, unknown>, privateKeyPem: string, header?: Record<string, unknown>): string;
export const MODELS: ReadonlyArray<{
  id: string;
  displayName: string;
  image: boolean;
  thinking: boolean;
  /** Accepted imageSize values; null = the model ignores imageSize (2.5 Flash Image). */
  sizes: string[] | null;
  ratios: string[];
  grounding: boolean;
  imageSearch: boolean;
  /** Accepted thinking levels (lower case); [] = no thinking config at all; null = not checked. */
  thinkingLevels: string[] | null;
  defaultThinkingLevel?: string;
  /** More input images → 400; null = not enforced. */
  maxInputImages: number | null;
}>;
/** Shut-down ids, the default of the retiredModels option. */
export const RETIRED_MODELS: ReadonlyArray<string>;
export const DEFAULTS: EmulatorOptions;

/** Width, height and the emulator's metadata of a JPEG answer (Vertex imageOutputOptions image/jpeg). */
export function readJpegInfo(buf: Buffer): { width: number; height: number; meta: EmulatorImageMeta | undefined };
