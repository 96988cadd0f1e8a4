import { parse } from "yaml";
import type { z } from "zod";

/** Parses a YAML settings file against its schema; an error names the file and the field. */
export function parseYamlFile<T>(fileName: string, text: string, schema: z.ZodType<T>): T {
  return checkSettings(fileName, parse(text), schema);
}

/** Checks settings already read against their schema; an error names where they came from and the field. */
export function checkSettings<T>(where: string, value: unknown, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${where}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  return parsed.data;
}
