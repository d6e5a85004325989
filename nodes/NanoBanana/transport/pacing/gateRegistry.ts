import { SharedRequestGate, SYSTEM_CLOCK, type GateClock, type GateLane } from './gate';

/**
 * A gate unused this long is dropped (with what it learned). Long enough that the executions of a
 * workflow triggered every few minutes keep the rate learned; a quota's minute has long turned.
 */
export const IDLE_GATE_MS = 10 * 60_000;

/**
 * The request gates of this n8n process (the main process or one queue worker), one per
 * credential identity and model, shared by every execution running here. Node's module cache
 * keeps one registry per process; idle gates are dropped whenever a gate is looked up.
 */
export class GateRegistry {
	private readonly gates = new Map<string, SharedRequestGate>();

	constructor(
		private readonly clock: GateClock = SYSTEM_CLOCK,
		private readonly idleMs = IDLE_GATE_MS,
	) {}

	/** The gate of `credentialIdentity` (see `credentialIdentity.ts`, never a secret) and `scope` (a model id). */
	gateFor(credentialIdentity: string, scope: string): SharedRequestGate {
		this.dropIdle();
		const key = `${credentialIdentity}\n${scope}`;
		let gate = this.gates.get(key);
		if (!gate) {
			gate = new SharedRequestGate(this.clock);
			this.gates.set(key, gate);
		}
		return gate;
	}

	get size(): number {
		return this.gates.size;
	}

	/** Forgets every gate (what a fresh n8n process starts with). */
	clear(): void {
		this.gates.clear();
	}

	private dropIdle(): void {
		for (const [key, gate] of this.gates) if (gate.isIdle(this.idleMs)) this.gates.delete(key);
	}
}

export const processGates = new GateRegistry();

/**
 * The lanes one execution holds in the process's gates (one per model it calls, plus the Files
 * API's), joined on first use with the execution's Max Requests per Minute and left together
 * when the execution's node run ends.
 */
export class ExecutionGates {
	private readonly lanes = new Map<string, GateLane>();

	constructor(
		private readonly registry: GateRegistry,
		private readonly credentialIdentity: string,
		private readonly requestsPerMinute: number,
	) {}

	/** The lane for generateContent calls to `modelId`. */
	forModel(modelId: string): GateLane {
		return this.lane(`model:${modelId}`, this.requestsPerMinute);
	}

	/** The lane for Files API uploads (their own limits; the per-minute ceiling is for model calls). */
	forFiles(): GateLane {
		return this.lane('files', 0);
	}

	/** The lane for Batch Mode's job calls (create, poll, download: limits of their own). */
	forBatches(): GateLane {
		return this.lane('batches', 0);
	}

	leaveAll(): void {
		for (const lane of this.lanes.values()) lane.leave();
		this.lanes.clear();
	}

	private lane(scope: string, requestsPerMinute: number): GateLane {
		let lane = this.lanes.get(scope);
		if (!lane) {
			lane = this.registry.gateFor(this.credentialIdentity, scope).join(requestsPerMinute);
			this.lanes.set(scope, lane);
		}
		return lane;
	}
}
