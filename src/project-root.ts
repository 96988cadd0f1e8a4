import { fileURLToPath } from "node:url";

/**
 * The project's folder, where the Node service reads rules/, models/ and migrations/. Every such path is
 * made from this one, in a file one level below the root, so that the bundle `npm start` runs
 * (build/server.js, also one level below it) finds the same files as the sources do.
 */
export const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
