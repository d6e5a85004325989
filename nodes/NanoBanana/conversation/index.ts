/** The conversation a Nano Banana result carries forward, for Refine Image (see docs/architecture.md). */
export { CONVERSATION_VERSION } from './types';
/** Request turns are transport's (`transport/google/types.ts`): parts with `thought` and `thoughtSignature`. */
export type { RequestContent, RequestPart } from '../transport/google/types';
export type {
	Conversation,
	ConversationProblem,
	ConversationResult,
	ImageReference,
	ModelPart,
	ModelTurn,
	Turn,
	UserTurn,
} from './types';
export { FIELD_PREFIX, IMAGE_FIELD_PATTERN, imageFieldName, LIMITS } from './naming';
export { parseConversation } from './parse';
export { appendTurn, latestResults, referencedImages } from './append';
export type { ConversationImage, DescribedImage, NextConversation, TurnImage, TurnRequest } from './append';
export { trimConversation, TURNS_TO_KEEP } from './trim';
export type { TrimLimits, Trimmed } from './trim';
export { buildContents, checkModel } from './contents';
export type { BuiltContents } from './contents';
