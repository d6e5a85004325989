/**
 * "Turns to Keep" (Refine Image): how many earlier user/model pairs a Refine sends back with its
 * new prompt. One fact for the option's description and rule (description/) and the trimming
 * (conversation/trim.ts).
 */
export const TURNS_TO_KEEP = { default: 5, min: 1, max: 20 } as const;
