import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Migration } from "./migrate.ts";

export const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);

export function readMigrationFiles(dir: string | URL = MIGRATIONS_DIR): Migration[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  return readdirSync(path)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(path, name), "utf8") }));
}
