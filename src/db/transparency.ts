import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { StatementRow } from "../transparency/statements.ts";
import { RESTRICTIVE_ACTIONS } from "../transparency/statements.ts";

// What the transparency export and page read: restrictive decisions page by page, and monthly totals
// from the daily counts (migration 0009).

export interface StatementCursor {
  createdAt: Date;
  id: string;
}

/** Restrictive decisions in [from, to) (of `sites` only, when given) after the cursor, oldest first, `limit` at most: one page of the export. */
export async function statementsPage(
  db: Kysely<Database>,
  range: { from: Date; to: Date },
  after: StatementCursor | null,
  limit: number,
  sites?: string[],
): Promise<StatementRow[]> {
  const { rows } = await sql<StatementRow>`
    select d.id::text, d.subject_kind, d.action, d.forum_rules, d.rule_ids, d.facts, d.source, d.automation, d.note, d.created_at, d.site_id,
      case d.subject_kind
        when 'comment' then (select c.created_at from comments c where c.id = cast(case when d.subject_kind = 'comment' then d.subject_id end as bigint))
        when 'tag' then (select t.created_at from tags t where t.id = cast(case when d.subject_kind = 'tag' then d.subject_id end as bigint))
      end as content_created_at,
      (select r.id::text from decisions r
        where r.subject_kind = d.subject_kind and r.subject_id = d.subject_id and r.reverses_decision_id = d.id limit 1) as reversed_by
    from decisions d
    where d.action in (${sql.join(RESTRICTIVE_ACTIONS.map((action) => sql`${action}`))})
      and d.created_at >= ${range.from} and d.created_at < ${range.to}
      ${sites ? sql`and d.site_id = any(${sites}::text[])` : sql``}
      ${after ? sql`and (d.created_at, d.id) > (${after.createdAt}, ${after.id}::bigint)` : sql``}
    order by d.created_at, d.id
    limit ${limit}`.execute(db);
  return rows;
}

export interface MonthRow {
  month: string;
  dimension: string;
  key: string;
  count: number;
}

/** Decisions (of one site, when given) per site calendar month (YYYY-MM) from `firstDay` on: total, by forum rule, action and automation, and appeals' own outcomes. */
export async function monthlyTotals(db: Kysely<Database>, firstDay: string, site?: string): Promise<MonthRow[]> {
  const { rows } = await sql<{ month: string; dimension: string; key: string; count: string }>`
    select to_char(day, 'YYYY-MM') as month, dimension, key, sum(count)::text as count
    from decision_day_counts
    where day >= ${firstDay}::date and dimension in ('total', 'forum_rule', 'action', 'automation', 'appeal')
      ${site === undefined ? sql`` : sql`and site = ${site}`}
    group by 1, 2, 3
    order by 1, 2, 3`.execute(db);
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}
