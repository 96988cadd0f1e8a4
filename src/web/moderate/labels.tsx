// What the moderator pages call the API's codes (subjects, actions, sources …), in Traditional Chinese.
import type { ItemView } from "../../views/review.ts";
import type { Reason } from "../../moderation/verdict.ts";
import { highlightSegments } from "../highlight.ts";

export const SUBJECT_NAMES: Record<string, string> = { comment: "留言", tag: "標籤", member: "暱稱" };
export const SUBJECT_STATUS_NAMES: Record<string, string> = { published: "已刊登", pending: "待審（未顯示）", removed: "已移除", deleted: "作者已刪除" };
export const TRUST_NAMES: Record<string, string> = { newcomer: "新會員（留言先審）", member: "一般會員", trusted: "信任會員", watched: "觀察中（留言先審）" };
export const MEMBER_STATUS_NAMES: Record<string, string> = { active: "正常", suspended: "停權中", revoked: "已解除會員資格" };
export const KIND_NAMES: Record<string, string> = { moderation: "審核", appeal: "申訴" };
export const SOURCE_NAMES: Record<string, string> = { automated_detection: "自動偵測", member_report: "會員檢舉", appeal: "申訴", member_appeal: "申訴", moderator_initiative: "管理員主動" };
const SEVERITY_NAMES: Record<string, string> = { low: "低", medium: "中", high: "高", critical: "嚴重" };
export const ACTION_NAMES: Record<string, string> = {
  approve: "核准",
  remove: "移除",
  remove_and_suspend: "移除並停權",
  suspend: "停權",
  warn: "警告",
  revoke: "解除會員資格",
  dismiss_reports: "駁回檢舉",
  uphold: "維持原處分",
  reverse: "撤銷原處分",
};
export const AUTOMATION_NAMES: Record<string, string> = { fully_automated: "全自動", human_with_automated_help: "人工（自動偵測輔助）", human: "人工" };
export const REPORT_REASON_NAMES: Record<string, string> = {
  illegal: "違法",
  rights: "侵權",
  false: "不實",
  abuse: "謾罵",
  meaningless: "無意義",
  irrelevant: "無關",
  nickname: "暱稱",
  spam: "廣告洗版",
  other: "其他",
};

/** The decision buttons of each kind of item, with the key that picks each. */
export const ACTION_CHOICES: Record<ItemView["kind"], { action: string; key: string }[]> = {
  moderation: [
    { action: "approve", key: "a" },
    { action: "remove", key: "r" },
    { action: "remove_and_suspend", key: "s" },
    { action: "dismiss_reports", key: "d" },
    { action: "revoke", key: "v" },
  ],
  appeal: [
    { action: "uphold", key: "u" },
    { action: "reverse", key: "x" },
  ],
};

export function Badge({ severity }: { severity: string | null }) {
  if (!severity) return null;
  return <span class={`badge ${severity}`}>{SEVERITY_NAMES[severity] ?? severity}</span>;
}

/** A subject's text with the words each reason found marked; a mark's title names the rule (and the listed term). */
export function MarkedText({ text, reasons, testId }: { text: string; reasons: Pick<Reason, "ruleId" | "forumRule" | "spans">[]; testId: string }) {
  const spans = new Map<string, { start: number; end: number; text: string; label: string }>();
  for (const reason of reasons) {
    for (const span of reason.spans) {
      const label = `${reason.ruleId}（${reason.forumRule}）${span.term && span.term !== span.text ? `：${span.term}` : ""}`;
      spans.set(`${span.start}:${span.end}:${label}`, { ...span, label });
    }
  }
  return (
    <div class="text" data-testid={testId}>
      {highlightSegments(text, [...spans.values()]).map((segment) =>
        segment.labels.length ? (
          <mark class="hit" title={segment.labels.join("；")} data-rules={segment.labels.join("；")}>
            {segment.text}
          </mark>
        ) : (
          segment.text
        ),
      )}
    </div>
  );
}

export function rulesText(rules: string[]): string {
  return rules.length ? rules.join("、") : "—";
}
