// @ts-check
'use strict';
/**
 * Preloaded into the measured `n8n execute` process (`node --require <this> n8n execute …`):
 * when the process exits it writes its own peak resident set size (VmHWM from
 * /proc/self/status) to `$NANO_BANANA_BENCH_PEAK_DIR/<pid>.json`, so the peak is read at the very
 * end instead of by polling that could miss it. Child processes (n8n's task runner) inherit the
 * variable but write under their own pid; the benchmark only reads the pid it spawned.
 */
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.NANO_BANANA_BENCH_PEAK_DIR;
if (dir) {
	process.on('exit', () => {
		// With --expose-gc: what is still reachable once garbage is collected (the live heap).
		let liveHeapBytes;
		if (typeof global.gc === 'function') {
			global.gc();
			liveHeapBytes = process.memoryUsage().heapUsed;
		}
		try {
			const status = fs.readFileSync('/proc/self/status', 'utf8');
			const kb = (/** @type {string} */ key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
			fs.writeFileSync(
				path.join(dir, `${process.pid}.json`),
				JSON.stringify({
					pid: process.pid,
					vmHwmKb: kb('VmHWM'),
					vmRssKb: kb('VmRSS'),
					// Wall clock and monotonic clock at the same instant: maps run-data times (epoch ms)
					// onto a --cpu-prof profile's timestamps (monotonic µs).
					epochMs: Date.now(),
					hrUs: Number(process.hrtime.bigint() / 1000n),
					cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
					liveHeapBytes,
				}),
			);
		} catch {
			/* best effort: the poller's figure is used instead */
		}
	});
}
