// @ts-check
'use strict';
/**
 * The command line of a bench script (`node test/bench/<name>.js …`): its flags and values, a
 * progress log on stderr with the seconds since start, and the command as the report prints it.
 */

/**
 * @param {string} name the script's name, e.g. "batch" for test/bench/batch.js
 * @param {string[]} [argv]
 */
function benchCli(name, argv = process.argv.slice(2)) {
	const started = Date.now();
	return {
		argv,
		flag: (/** @type {string} */ flagName) => argv.includes(flagName),
		value: (/** @type {string} */ valueName, /** @type {string} */ fallback) => {
			const i = argv.indexOf(valueName);
			return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
		},
		log: (/** @type {string} */ msg) => process.stderr.write(`[bench:${name} ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`),
		command: `node test/bench/${name}.js${argv.length ? ` ${argv.join(' ')}` : ''}`,
	};
}

module.exports = { benchCli };
