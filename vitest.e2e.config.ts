import { defineConfig } from "vitest/config";

// Browser end-to-end tests: Debian's chromium driven by playwright-core against the app served on a local
// port. `npm run test:e2e` (needs `apt-get install chromium`); CI installs it and runs them.
export default defineConfig({
  test: {
    include: ["test-e2e/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
