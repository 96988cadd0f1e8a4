import { parse } from "yaml";
import type { z } from "zod";

/** Parses a YAML settings file against its schema; an error names the file and the field. */
export function parseYamlFile<T>(fileName: string, text: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${fileName}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  return parsed.data;
}
