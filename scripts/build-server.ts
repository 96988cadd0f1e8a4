// npm run build:server (npm start runs it first)
// Bundles the Node server (src/server.ts) into build/server.js, which npm start runs with plain node: the
// sources are TypeScript, and running them through tsx costs its compiler and caches in the server's
// memory. Packages stay in node_modules (PGlite finds its database files beside its own code), except JSON
// data, which Node would only import with an import attribute the bundler drops: it goes into the bundle.
// build/server.js sits one level below the project, as src/ does, so src/project-root.ts finds rules/,
// models/ and migrations/ from either.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../src/project-root.ts";

/**
 * Writes build/server.js (and its source map) from src/server.ts, each file written beside it and renamed
 * into place, so that a server starting meanwhile (another npm start, a test) reads the old bundle or the
 * new one, never half of one.
 */
export async function buildServer(): Promise<void> {
  const { outputFiles } = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: ["src/server.ts"],
    outfile: "build/server.js",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    write: false,
    plugins: [
      {
        name: "packages-external-but-json",
        setup(bundler) {
          bundler.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith(".json") ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  for (const file of outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
