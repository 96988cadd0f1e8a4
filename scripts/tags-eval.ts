// npm run tags:eval [-- --input eval/tag-relevance.json]
// Measures the tag relatedness check on a labelled set: each tag is judged against its article within
// the set's articles, and counted as accepted (a word of the article, or similar enough), held (unsure)
// or refused (unrelated). Precision and recall are those of acceptance.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles, readModelFile, readPolicy } from "../src/rules-on-disk.ts";
import { TagCorpus } from "../src/screening/relatedness.ts";
import { runCommand } from "./jsonl.ts";

interface RelevanceSet {
  articles: { id: string; title: string; body: string }[];
  tags: { article: string; label: string; related: 0 | 1 }[];
}

async function main() {
  const { values } = parseArgs({ options: { input: { type: "string", default: "eval/tag-relevance.json" } } });
  const set = JSON.parse(readFileSync(values.input, "utf8")) as RelevanceSet;
  const policy = readPolicy().tags;
  const moderator = createModerator(loadRuleSet(readEngineRuleFiles()), loadClassifier(readModelFile()));
  const corpus = new TagCorpus(set.articles.map((a) => ({ id: a.id, text: `${a.title}\n${a.body}` })), moderator);
  const counts = { acceptedRelated: 0, acceptedUnrelated: 0, heldRelated: 0, heldUnrelated: 0, refusedRelated: 0, refusedUnrelated: 0 };
  const mistakes: string[] = [];
  for (const tag of set.tags) {
    const relatedness = corpus.relatedness(tag.article, moderator.canonical(tag.label));
    const outcome =
      relatedness.kind === "word" || (relatedness.kind === "similar" && relatedness.similarity >= policy.relatedAt)
        ? "accepted"
        : relatedness.kind === "similar" && relatedness.similarity < policy.unsureAt
          ? "refused"
          : "held";
    const key = `${outcome}${tag.related ? "Related" : "Unrelated"}` as keyof typeof counts;
    counts[key]++;
    const detail = relatedness.kind === "similar" ? ` similarity ${relatedness.similarity.toFixed(3)}` : ` ${relatedness.kind}`;
    if ((outcome === "accepted") !== (tag.related === 1)) mistakes.push(`  ${tag.article} ${tag.label}: ${outcome} (label ${tag.related};${detail})`);
  }
  const accepted = counts.acceptedRelated + counts.acceptedUnrelated;
  const related = counts.acceptedRelated + counts.heldRelated + counts.refusedRelated;
  const unrelated = set.tags.length - related;
  console.log(`${set.tags.length} tags on ${set.articles.length} articles (relatedAt ${policy.relatedAt}, unsureAt ${policy.unsureAt})`);
  console.log(`accepted: precision ${(counts.acceptedRelated / accepted).toFixed(3)}, recall ${(counts.acceptedRelated / related).toFixed(3)}`);
  console.log(`unrelated tags refused ${counts.refusedUnrelated}/${unrelated}, held ${counts.heldUnrelated}, accepted ${counts.acceptedUnrelated}`);
  console.log(`related tags held for review ${counts.heldRelated}/${related}, refused ${counts.refusedRelated}`);
  if (mistakes.length) console.log(`not accepted as labelled:\n${mistakes.join("\n")}`);
}

runCommand(main);
