import { ExecutionGates, GateRegistry } from '../../../../nodes/NanoBanana/transport/pacing/gateRegistry';
import { VirtualClock } from '../../virtualClock';

describe('GateRegistry', () => {
	it('hands every execution of one credential and model the same gate, and others their own', () => {
		const registry = new GateRegistry(new VirtualClock());
		const gate = registry.gateFor('cred-a', 'model:x');
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate);
		expect(registry.gateFor('cred-a', 'model:y')).not.toBe(gate);
		expect(registry.gateFor('cred-b', 'model:x')).not.toBe(gate);
	});

	it('drops a gate once no execution has used it for the idle time, not before', async () => {
		const clock = new VirtualClock();
		const registry = new GateRegistry(clock, 60_000);
		const executionGates = new ExecutionGates(registry, 'cred-a', 0);
		const gate = executionGates.forModel('x').gate;
		await clock.advanceTo(120_000);
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate); // still joined: kept
		executionGates.leaveAll();
		await clock.advanceTo(150_000);
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate); // idle for 30 s only
		await clock.advanceTo(181_000);
		registry.gateFor('cred-b', 'model:z');
		expect(registry.size).toBe(1);
		expect(registry.gateFor('cred-a', 'model:x')).not.toBe(gate);
	});
});
