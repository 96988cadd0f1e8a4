import type { Kysely } from "kysely";
import type { Database } from "./db/schema.ts";

export const DEMO_ARTICLE_ID = "demo-1";

/** The article `npm start` creates so a newcomer can post a comment straight away. Never overwrites. */
export async function seedDemoArticle(db: Kysely<Database>, now: Date): Promise<void> {
  await db
    .insertInto("articles")
    .values({
      id: DEMO_ARTICLE_ID,
      title: "示範文章：北市公車明年起加開夜間路線",
      body:
        "臺北市政府交通局今天宣布，明年一月起將加開三條夜間公車路線，服務深夜下班的通勤族。" +
        "交通局表示，新路線將行經信義、松山與中山等行政區，班距約三十分鐘。" +
        "市議員則呼籲市府同步檢討機車停車格不足的問題。",
      url: null,
      published_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}
