// Postgres bigint ids, as they arrive in paths, bodies and cursors. A 19-digit number past 2^63 - 1 passes a
// digit pattern but makes Postgres fail (22003), so the range is checked here, before any query; leading
// zeros and signs are not ids this API hands out.
const ROW_ID = /^[1-9][0-9]{0,18}$/;
const MAX_BIGINT = 9223372036854775807n;

/** Whether `text` is an id of a row (comments, tags, review items, decisions, reports): 1 … 2^63 - 1. */
export function isRowId(text: unknown): text is string {
  return typeof text === "string" && ROW_ID.test(text) && (text.length < 19 || BigInt(text) <= MAX_BIGINT);
}
