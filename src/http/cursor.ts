import { z } from "zod";
import { ApiError } from "../errors.ts";
import { isRowId } from "./row-id.ts";

// Keyset cursors: the sort values of a page's last row, as base64url JSON. Opaque to clients; checked on
// the way back in, so a forged cursor is a 400, never a query that fails.

/** A cursor holding `values` (the last row's sort key and id). */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** The values of a cursor this API handed out, checked against `shape`; 400 invalid_cursor otherwise. */
export function decodeCursor<T>(cursor: string, shape: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const parsed = shape.safeParse(value);
  if (!parsed.success) throw new ApiError(400, "invalid_cursor", "cursor is not one this API returned");
  return parsed.data;
}

/** A row id inside a cursor. */
export const cursorRowId = z.string().refine(isRowId);
