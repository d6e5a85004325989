/** Default values of the node's options, shared by their descriptions and the code that reads them. */

export const DEFAULT_JPEG_QUALITY = 75;

export const DEFAULT_MAX_CONCURRENCY = 8;
export const DEFAULT_MAX_RETRIES = 4;
/** 4K images on a busy model can take a few minutes. */
export const DEFAULT_TIMEOUT_SECONDS = 300;
/** Long enough for several slow attempts, short enough that a stuck item does not hold a run for hours. */
export const DEFAULT_ITEM_TIME_BUDGET_SECONDS = 900;
/** Google finishes batch jobs within 24 hours (usually minutes). */
export const DEFAULT_BATCH_MAX_WAIT_MINUTES = 1440;
