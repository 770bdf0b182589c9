// mocha's spec reporter plus a JSON results file, for the mocha command line:
//   mocha --reporter scripts/host/mocha-reporter.js --reporter-option output=test-output/unit/results.json
// The reporter itself is test/host/results.ts (compiled by `node scripts/build.mjs --tests`).
module.exports = require('../../out/test/host/results.js').JsonFileReporter;
