import { defineConfig } from "vitest/config";

// The Worker tests: src/worker.ts served by workerd (wrangler dev, offline) against the machine's
// PostgreSQL through Hyperdrive's local connection string. `npm run test:workerd`; CI runs them too.
export default defineConfig({
  test: {
    include: ["test-workerd/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
