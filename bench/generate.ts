// Data for the benchmarks, generated inside PostgreSQL in batches (generate_series), with a progress bar:
// articles, members, and comments spread over them, one "hot" article holding `hotComments` of them.
import { withClient } from "../src/db/postgres.ts";
import { readForumRules } from "../src/rules-on-disk.ts";

export interface Shape {
  comments: number;
  hotComments: number;
  articles: number;
  members: number;
}

const BATCH = 50_000;
// Comments are spread over the last 30 days, a millisecond apart at most.
const START = Date.UTC(2026, 9, 29);

function bar(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done.toLocaleString("en")}/${total.toLocaleString("en")}`);
  if (done === total) process.stderr.write("\n");
}

/** Adds comments numbered from `from` (1-based) to `to`; the first `shape.hotComments` go to article "hot". */
export async function addComments(url: string, shape: Shape, from: number, to: number): Promise<void> {
  await withClient(url, async (client) => {
    const version = readForumRules().version;
    // Loaded in bulk, as a migration of an old site's comments would be: the per-row counter trigger is
    // off while the rows go in, and the counts are taken over the table at the end (recountArticles).
    await client.query("alter table comments disable trigger comments_count_published");
    for (let first = from; first <= to; first += BATCH) {
      const last = Math.min(to, first + BATCH - 1);
      await client.query(
        `insert into comments (article_id, member_id, body, status, verdict, rules_version, accepted_rules_version, request_hash, created_at, updated_at)
         select case when g <= $3 then 'hot' else 'a' || (g % $4) end,
                'm' || (g % $5),
                '第 ' || g || ' 則留言：市府這次的交通政策還不錯',
                'published',
                '{"action":"allow","reasons":[],"score":0.1,"topNgrams":[]}'::jsonb,
                'rules-bench', $6, 'bench',
                to_timestamp(($7::bigint + g) / 1000.0), to_timestamp(($7::bigint + g) / 1000.0)
         from generate_series($1::int, $2::int) g`,
        [first, last, shape.hotComments, shape.articles, shape.members, version, START],
      );
      bar("comments", last - from + 1, to - from + 1);
    }
    await client.query("alter table comments enable trigger comments_count_published");
    await client.query(`delete from article_counters`);
    await client.query(
      `insert into article_counters (article_id, shard, published, changes)
       select article_id, 0, count(*) filter (where status = 'published'), 1 from comments group by article_id`,
    );
  });
  // As autovacuum would have by now: statistics, and the visibility map index-only scans rely on. Without
  // it, bench/growth.ts measured its middle size right after a bulk load autovacuum had not reached yet
  // (100k the slowest of the three sizes in every run), and its largest after one it had.
  await withClient(url, (client) => client.query("vacuum analyze"));
}

/** Articles (a0 … and "hot") and members (m0 …), then comments up to `shape.comments`. */
export async function generate(url: string, shape: Shape): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(
      `insert into articles (id, title, body, published_at) select 'a' || g, '文章 ' || g, '內文', now() from generate_series(0, $1::int - 1) g`,
      [shape.articles],
    );
    await client.query(`insert into articles (id, title, body, published_at) values ('hot', '熱門文章', '內文', now())`);
    await client.query(
      `insert into members (id, accepted_rules_version) select 'm' || g, $2 from generate_series(0, $1::int - 1) g`,
      [shape.members, readForumRules().version],
    );
  });
  await addComments(url, shape, 1, shape.comments);
}
