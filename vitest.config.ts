import { defineConfig } from "vitest/config";

export default defineConfig({
  // The Worker imports rules/*.yaml as text (wrangler.toml [[rules]] type = "Text"); do the same here so
  // tests can load src/worker.ts.
  plugins: [
    {
      name: "yaml-as-text",
      transform(code, id) {
        if (id.endsWith(".yaml")) return { code: `export default ${JSON.stringify(code)};`, map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ["test/**/*.test.ts"],
    // Each file opens its own database (an in-memory PGlite, or a schema of its own on DATABASE_URL).
    // Budgets a busy 2-core machine cannot miss: the slowest tests spawn tsx processes (a server, the
    // batch commands), which take 10-15 s alone and more than twice that beside a second suite.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
