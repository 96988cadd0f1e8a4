// npm run rescreen:nicknames: re-checks every member's nickname against the current rules (after a rule
// change) and sends newly failing ones to the review queue. Each batch commits with the rules version it
// was screened with, so stopping and rerunning continues where it stopped and never queues a member twice.
import { loadClassifier } from "../src/classifier/model.ts";
import { loadServerConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/open.ts";
import { feedReviewItem } from "../src/db/review.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { nicknameAnswer, screenNicknameText } from "../src/screening/nickname.ts";
import { readEngineRuleFiles, readModelFile, readNicknameRules, readPolicy } from "../src/rules-on-disk.ts";
import { runCommand } from "./jsonl.ts";

const BATCH = 500;

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

async function main() {
  const moderator = createModerator(loadRuleSet(readEngineRuleFiles()), loadClassifier(readModelFile()));
  const rules = readNicknameRules();
  const policy = readPolicy();
  const { database } = await openDatabase(loadServerConfig(process.env));
  const { db } = database;
  try {
    const toDo = db
      .selectFrom("members")
      .where("nickname", "is not", null)
      .where("status", "<>", "revoked")
      .where((eb) => eb.or([eb("nickname_rules_version", "is", null), eb("nickname_rules_version", "<>", moderator.rulesVersion)]));
    const total = Number((await toDo.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow()).count);
    let done = 0;
    let queued = 0;
    let after = "";
    process.stderr.write(`rules ${moderator.rulesVersion}: ${total} nicknames to re-check\n`);
    for (;;) {
      const batch = await toDo.select(["id", "nickname"]).where("id", ">", after).orderBy("id").limit(BATCH).execute();
      if (batch.length === 0) break;
      const now = new Date();
      await db.transaction().execute(async (trx) => {
        for (const member of batch) {
          const screen = screenNicknameText(member.nickname!, { moderator, nicknameRules: rules });
          const answer = nicknameAnswer(screen);
          if (answer.outcome !== "allow") {
            await feedReviewItem(trx, policy, {
              kind: "moderation",
              subjectKind: "member",
              subjectId: member.id,
              source: "automated_detection",
              detail: { ...(screen.verdict ?? {}), nickname: member.nickname, code: answer.code, rescreen: true },
              forumRules: ["R4"],
              severity: answer.outcome === "reject" ? "high" : "medium",
              reportWeight: 0,
              now,
            });
            queued++;
          }
        }
        await trx
          .updateTable("members")
          .set({ nickname_rules_version: moderator.rulesVersion })
          .where("id", "in", batch.map((m) => m.id))
          .execute();
      });
      done += batch.length;
      after = batch.at(-1)!.id;
      process.stderr.write(`\r${bar(done, total)}`);
    }
    process.stderr.write(`\n${queued} nicknames sent to the review queue\n`);
  } finally {
    await database.close();
  }
}

runCommand(main);
