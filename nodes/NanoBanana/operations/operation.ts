import type { OperationDescription } from '../description/operation';
import type { PrepareItem } from '../actions/item';

/**
 * One operation of the node: its parameters (shown for it only), its place in the node's
 * description and subtitle, and how it prepares an item's request. Everything after the request
 * (sending, fallbacks, Batch Mode, the output item) is shared.
 *
 * `prepare` reads the item and returns a `PreparedItem` (actions/item.ts) through
 * `prepareImageItem`, which takes earlier turns of a conversation (`history`: `user` and `model`
 * contents, parts with their `thoughtSignature`) and per-item `extraJson` for the output.
 */
export interface Operation extends OperationDescription {
	prepare: PrepareItem;
	/**
	 * Set when the operation cannot run in Batch Mode: why, and what to do. Every item then fails
	 * with it before anything is sent (an error item each with Continue On Fail).
	 */
	batchModeRefusal?: string;
}
