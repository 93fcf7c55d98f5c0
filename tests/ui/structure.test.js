// The UI's structure: no import cycle, nothing importing the page's entry point (main.js: the
// steps move the page through nav.js, whose moves main.js registers, all of them), no step
// taking navigation callbacks, no step importing another step for a helper, no file over 800
// lines, and a fake backend that answers only what backend.js sends, from fixtures that are all
// used.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { answeredCommands, backendCommands, installFakeBackend } from "./support/fake-backend.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const UI = resolve(HERE, "../../ui");
const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : files(join(dir, e.name))) : [join(dir, e.name)]));
const sources = files(join(UI, "src")).filter((f) => f.endsWith(".js"));

/** The modules `file` imports (static and dynamic), as absolute paths. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s[^"'();]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)]
    .map((m) => m[1] || m[2] || m[3])
    .filter((spec) => spec.startsWith("."))
    .map((spec) => resolve(dirname(file), spec));
}

/** The first import cycle in `graph`, as a list of files, or null. */
export function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) || []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const graph = new Map(sources.map((f) => [f, importsOf(f)]));

test("the cycle finder finds a cycle", () => {
  assert.deepEqual(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), ["a", "b", "c", "a"]);
  assert.equal(findCycle(new Map([["a", ["b"]], ["b", []], ["c", ["b"]]])), null);
});

test("no import cycle in the UI", () => {
  const cycle = findCycle(graph);
  assert.equal(cycle && cycle.map((f) => relative(UI, f)).join(" → "), null);
});

const MAIN = join(UI, "src/main.js");
const NAV = join(UI, "src/nav.js");

test("nothing imports main.js: the steps reach the page through nav.js", () => {
  const importers = [...graph].filter(([, imports]) => imports.includes(MAIN)).map(([file]) => relative(UI, file));
  assert.deepEqual(importers, []);
  const steps = [...graph.keys()].filter((f) => f.includes("/src/steps/"));
  const moving = steps.filter((f) => /\b(go|open|home|connectNew|connectRenew)\(/.test(readFileSync(f, "utf8")) && /from "\.\.\/nav\.js"/.test(readFileSync(f, "utf8")));
  assert.ok(moving.length >= 6, `the steps that move the page import nav.js: ${moving.map((f) => relative(UI, f))}`);
});

test("no step takes navigation callbacks through its init: they go through nav.js", () => {
  for (const file of sources) {
    const callbacks = readFileSync(file, "utf8").match(/export (?:async )?function init\w*\(\s*\{\s*on[A-Z]\w*/);
    assert.equal(callbacks && `${relative(UI, file)}: ${callbacks[0]}`, null);
  }
});

test("main.js registers every move nav.js offers, and only those", () => {
  const offered = new Set([...readFileSync(NAV, "utf8").matchAll(/registered\(\)\.(\w+)\(/g)].map((m) => m[1]));
  const main = readFileSync(MAIN, "utf8");
  const block = main.slice(main.indexOf("registerNavigation({"), main.indexOf("\n});", main.indexOf("registerNavigation({")));
  const registered = new Set([...block.matchAll(/^ {2}(\w+)(?=[:,(])/gm)].map((m) => m[1]));
  assert.deepEqual([...registered].sort(), [...offered].sort());
});

test("every import resolves to a file of the UI", () => {
  const known = new Set(sources);
  for (const [file, imports] of graph) for (const target of imports) assert.ok(known.has(target), `${relative(UI, file)} imports ${relative(UI, target)}`);
});

test("the clipboard helper is its own module: no step takes it from another step", () => {
  for (const [file, imports] of graph) {
    const text = readFileSync(file, "utf8");
    if (!/\bcopyText\b/.test(text) || file.endsWith("clipboard.js")) continue;
    assert.ok(imports.some((f) => f.endsWith("/src/clipboard.js")), `${relative(UI, file)} takes copyText from elsewhere`);
  }
});

test("no error code written into the page: a shown code is always one the backend sent", () => {
  for (const file of sources) {
    const text = readFileSync(file, "utf8");
    const literal = text.match(/className:\s*"code",\s*text:\s*["'`][^"'`]*["'`]/);
    assert.equal(literal && `${relative(UI, file)}: ${literal[0]}`, null);
  }
});

test("no UI file over 800 lines, tests included", () => {
  for (const file of [...files(join(UI, "src")), ...files(HERE).filter((f) => f.endsWith(".js")), join(UI, "index.html"), join(UI, "styles.css")]) {
    const lines = readFileSync(file, "utf8").split("\n").length;
    assert.ok(lines <= 800, `${relative(UI, file)}: ${lines} lines`);
  }
});

test("the fake backend answers every command backend.js sends (a new command needs its fixture)", () => {
  const answered = answeredCommands();
  assert.deepEqual([...backendCommands()].filter((c) => !answered.has(c)), []);
});

test("the fake backend answers only commands backend.js sends, from fixtures it all uses", () => {
  const commands = backendCommands();
  assert.ok(commands.size > 30, `backend.js's commands read: ${commands.size}`);
  installFakeBackend(); // throws when it answers a command backend.js does not send
  const fake = readFileSync(join(HERE, "support/fake-backend.js"), "utf8");
  const used = new Set([...fake.matchAll(/fixture\("([a-z_]+)"\)/g)].map((m) => m[1]));
  const fixtures = readdirSync(join(HERE, "fixtures")).map((f) => f.replace(/\.json$/, ""));
  assert.deepEqual(fixtures.filter((f) => !used.has(f)), [], "a fixture the fake never answers with");
});
