import { defineConfig } from "vitest/config";

// Crash, outage and shutdown tests: they start the Node server as a process, kill it, and stop a private
// PostgreSQL cluster under it. `npm run test:resilience`; CI runs them after the other suites.
export default defineConfig({
  test: {
    include: ["test-resilience/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
