import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../project-root.ts";
import type { Migration } from "./migrate.ts";

export const MIGRATIONS_DIR = join(PROJECT_ROOT, "migrations");

export function readMigrationFiles(dir: string | URL = MIGRATIONS_DIR): Migration[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  return readdirSync(path)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(path, name), "utf8") }));
}
