import { edit } from './edit';
import { generate } from './generate';
import { refine } from './refine';
import type { Operation } from './operation';

export type { Operation } from './operation';

/**
 * The node's operations, in the order the "Operation" list shows them; the first is the default.
 * The node description, the subtitle and the router all read this list: adding an operation is
 * one module in this folder and one line here.
 */
export const OPERATIONS: readonly Operation[] = [edit, generate, refine];
