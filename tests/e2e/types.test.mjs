// The package's TypeScript types (pkg/index.d.ts) with the real compiler: typical usage compiles,
// and typical mistakes are errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/serve.mjs";

const tsc = join(ROOT, "tools/node_modules/typescript/bin/tsc");
const compile = (file) => spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2020", "--module", "nodenext",
  "--moduleResolution", "nodenext", "--lib", "es2020,dom", "--skipLibCheck", "false", join(ROOT, "tests/types", file)], { encoding: "utf8" });

test("typical usage compiles with --strict", () => {
  const result = compile("usage.ts");
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test("each typical mistake is a type error", () => {
  const result = compile("mistakes.ts");
  const lines = readFileSync(join(ROOT, "tests/types/mistakes.ts"), "utf8").split("\n");
  const expected = lines.map((l, i) => (l.includes("// MISTAKE") ? i + 1 : 0)).filter(Boolean);
  const reported = [...new Set([...result.stdout.matchAll(/mistakes\.ts\((\d+),/g)].map((m) => Number(m[1])))];
  assert.deepEqual(reported.sort((a, b) => a - b), expected, result.stdout);
});

test("the DiagnosticCode type lists every code the engine and the JS layer raise", () => {
  const rust = readFileSync(join(ROOT, "src/engine/diagnostic.rs"), "utf8");
  const js = readFileSync(join(ROOT, "js/api.js"), "utf8");
  const types = readFileSync(join(ROOT, "js/index.d.ts"), "utf8");
  const raised = new Set([...rust.matchAll(/Code::\w+ => "([a-z-]+)"/g), ...js.matchAll(/code: "([a-z-]+)"/g)].map((m) => m[1]));
  const union = types.slice(types.indexOf("export type DiagnosticCode"), types.indexOf(";", types.indexOf("export type DiagnosticCode")));
  const typed = new Set([...union.matchAll(/"([a-z-]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...raised].sort(), [...typed].sort());
});
