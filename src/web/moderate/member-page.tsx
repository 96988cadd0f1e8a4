import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../app-env.ts";
import type { MemberHistory } from "../../members/history.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { ErrorBox, FORUM_RULE_NAMES, formatTime, Layout, ROLE_NAMES } from "../layout.tsx";
import { SimplePage } from "../forms.tsx";
import type { WebSession } from "../session.ts";
import { DecisionsTable } from "./item-page.tsx";
import { MEMBER_STATUS_NAMES, SUBJECT_STATUS_NAMES, TRUST_NAMES } from "./labels.tsx";

// A member as a moderator sees them (/moderate/members/:id): standing, trust level and why, comments by
// status, decisions, reports, warnings, notes and changes of level; a warning, suspension or revocation
// (with their comments taken down if chosen), and a private note.

export interface MemberActionDraft {
  action: string;
  forumRules: string[];
  note: string;
  suspendDays: string;
  /** "" : every site. */
  site: string;
  takeDownComments: boolean;
}

/** The publisher's sites as the pages show them. */
export type SiteChoice = { id: string; name: string };

const OUTCOME_NAMES: Record<string, string> = { upheld: "成立", dismissed: "駁回", open: "處理中" };
const tally = (counts: Record<string, number>) =>
  Object.entries(counts).map(([outcome, n]) => `${OUTCOME_NAMES[outcome] ?? outcome} ${n}`).join("、") || "無";

/** An admin's demotion form: the highest role the member may act with, whatever the login system says; their sessions of a higher role end at once. */
function RoleLimitForm({ session, base, current }: { session: WebSession; base: string; current: string | null }) {
  return (
    <section>
      <h2>管理權限（系統管理員）</h2>
      <form method="post" action={`${base}/role-limit`} class="filters" data-testid="role-limit-form">
        <input type="hidden" name="_csrf" value={session.csrf} />
        <label>
          最高身分
          <select name="role">
            <option value="" selected={current === null}>
              依登入系統（不設上限）
            </option>
            {(["member", "moderator"] as const).map((role) => (
              <option value={role} selected={current === role}>
                {ROLE_NAMES[role]}
              </option>
            ))}
          </select>
        </label>
        <label>
          原因
          <input type="text" name="note" required maxlength={2000} />
        </label>
        <button type="submit" class="secondary">套用（立即結束較高身分的登入）</button>
      </form>
    </section>
  );
}

/** An admin limits a moderator to some sites (none ticked: every site); it counts from their next request. */
function ModeratorSitesForm({ session, base, sites, current }: { session: WebSession; base: string; sites: SiteChoice[]; current: string[] | null }) {
  return (
    <section>
      <h2>負責網站（系統管理員）</h2>
      <form method="post" action={`${base}/sites`} class="filters" data-testid="moderator-sites-form">
        <input type="hidden" name="_csrf" value={session.csrf} />
        {sites.map((site) => (
          <label>
            <input type="checkbox" name="sites" value={site.id} checked={current?.includes(site.id) ?? false} /> {site.name}{" "}
          </label>
        ))}
        <label>
          原因
          <input type="text" name="note" required maxlength={2000} />
        </label>
        <button type="submit" class="secondary">套用（都不勾：負責所有網站）</button>
      </form>
    </section>
  );
}

function MemberHistoryPage({
  session,
  history,
  draft,
  error,
  sites,
}: {
  session: WebSession;
  history: MemberHistory;
  draft: MemberActionDraft | null;
  error: ApiFailure | null;
  sites: SiteChoice[];
}) {
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? id;
  const { member, standing, comments } = history;
  const base = `/moderate/members/${encodeURIComponent(member.id)}`;
  return (
    <Layout title={`會員 ${member.id} - 留言審核`} session={session} area="moderate">
      <h1>會員 {member.id}</h1>
      {error ? <ErrorBox message={error.message} /> : null}
      <p>
        暱稱：{member.nickname ?? "（未設定）"} · 狀態：<span data-testid="member-status">{MEMBER_STATUS_NAMES[member.status] ?? member.status}</span>
        {member.suspendedUntil ? `（停權至 ${formatTime(member.suspendedUntil)}）` : ""} · 違規紀錄 {standing?.strikes ?? 0} 次 · 待確認警告{" "}
        {member.unacknowledgedWarnings} 則
      </p>
      <p data-testid="trust">
        留言層級：{TRUST_NAMES[member.trustLevel] ?? member.trustLevel}（{standing?.trustWhy}）
      </p>
      <p data-testid="comment-counts">
        留言：已刊登 {comments.byStatus.published} · 待審 {comments.byStatus.pending} · 已移除 {comments.byStatus.removed}
      </p>
      <p>
        檢舉他人：{tally(history.reports.filed)} · 被檢舉：{tally(history.reports.received)} ·{" "}
        <a href={`/moderate?${new URLSearchParams({ memberId: member.id })}`}>待審項目</a>
      </p>
      {history.roleLimit ? (
        <p class="notice warn" data-testid="role-limit">
          權限上限：{ROLE_NAMES[history.roleLimit.role]}（{history.roleLimit.by} 於 {formatTime(history.roleLimit.at)} 設定：{history.roleLimit.note}）
        </p>
      ) : null}
      {history.siteSuspensions.length > 0 ? (
        <ul class="notice warn" data-testid="site-suspensions">
          {history.siteSuspensions.map((suspension) => (
            <li>
              在{siteName(suspension.site)}停權至 {formatTime(suspension.until)}
            </li>
          ))}
        </ul>
      ) : null}
      {history.moderatorSites ? (
        <p class="notice" data-testid="moderator-sites">
          只負責：{history.moderatorSites.sites.map(siteName).join("、")}（{history.moderatorSites.by} 於 {formatTime(history.moderatorSites.at)} 設定：
          {history.moderatorSites.note}）
        </p>
      ) : null}
      {session.role === "admin" && member.id !== session.memberId ? <RoleLimitForm session={session} base={base} current={history.roleLimit?.role ?? null} /> : null}
      {session.role === "admin" && member.id !== session.memberId && sites.length > 1 ? (
        <ModeratorSitesForm session={session} base={base} sites={sites} current={history.moderatorSites?.sites ?? null} />
      ) : null}

      <section>
        <h2>處置這位會員</h2>
        <form method="post" action={`${base}/action`} class="comment-form" data-testid="member-action">
          <input type="hidden" name="_csrf" value={session.csrf} />
          <p>
            {[
              ["warn", "警告（會員須確認後才能再留言）"],
              ["suspend", "停權"],
              ["revoke", "解除會員資格"],
            ].map(([value, label]) => (
              <label>
                <input type="radio" name="action" value={value} required checked={draft?.action === value} /> {label}{" "}
              </label>
            ))}
          </p>
          <p>
            {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
              <label>
                <input type="checkbox" name="forumRules" value={rule} checked={draft?.forumRules.includes(rule)} /> {FORUM_RULE_NAMES[rule]}{" "}
              </label>
            ))}
          </p>
          <p>
            <label>
              停權天數 <input type="number" name="suspendDays" min={1} max={3650} value={draft?.suspendDays ?? ""} />
            </label>{" "}
            {sites.length > 1 ? (
              <label>
                停權範圍{" "}
                <select name="site">
                  <option value="" selected={!draft?.site}>
                    所有網站
                  </option>
                  {sites.map((site) => (
                    <option value={site.id} selected={draft?.site === site.id}>
                      只在{site.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </p>
          <p>
            <label>
              <input type="checkbox" name="takeDownComments" value="1" checked={draft?.takeDownComments} /> 同時移除這位會員已刊登與待審的留言（每則各自留下處理紀錄）
            </label>
          </p>
          <label for="member-action-note">說明（會員看得到）</label>
          <textarea id="member-action-note" name="note" required>{draft?.note ?? ""}</textarea>
          <button type="submit">送出處置</button>
        </form>
      </section>

      <section>
        <h2>管理員備註（會員看不到）</h2>
        <ul data-testid="notes">
          {history.notes.map((note) => (
            <li>
              {formatTime(note.createdAt)} {note.moderatorId}：{note.note}
            </li>
          ))}
        </ul>
        <form method="post" action={`${base}/note`} class="filters">
          <input type="hidden" name="_csrf" value={session.csrf} />
          <label>
            新增備註 <input type="text" name="note" maxlength={2000} required />
          </label>
          <button type="submit" class="secondary">加入備註</button>
        </form>
      </section>

      <section>
        <h2>最近的留言</h2>
        <ul>
          {comments.latest.map((comment) => (
            <li>
              {formatTime(comment.createdAt)} · {SUBJECT_STATUS_NAMES[comment.status] ?? comment.status} · {comment.body}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>處理紀錄</h2>
        <DecisionsTable decisions={history.decisions} />
      </section>

      <section>
        <h2>留言層級的變化</h2>
        <ul data-testid="trust-changes">
          {history.trustChanges.map((change) => (
            <li>
              {formatTime(change.createdAt)}：{TRUST_NAMES[change.from] ?? change.from} → {TRUST_NAMES[change.to] ?? change.to}（{change.why}）
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>警告</h2>
        <ul>
          {history.warnings.map((warning) => (
            <li>
              {formatTime(warning.createdAt)}：{warning.note}（{warning.acknowledgedAt ? `已於 ${formatTime(warning.acknowledgedAt)} 確認` : "尚未確認"}）
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

export async function showMember(c: Context<AppEnv>, appFetch: AppFetch, draft: MemberActionDraft | null, error: ApiFailure | null, status: ContentfulStatusCode = 200) {
  const session = c.get("webSession");
  const history = await callApi<MemberHistory>(c, appFetch, session, "GET", `/members/${encodeURIComponent(c.req.param("id") ?? "")}/history`);
  if (!history.ok) return c.html(<SimplePage title="找不到會員" session={session} area="moderate" message={history.error.message} />, history.status);
  const sites = c.get("deps").config.sites.all.map(({ id, name }) => ({ id, name }));
  return c.html(<MemberHistoryPage session={session} history={history.body} draft={draft} error={error} sites={sites} />, status);
}
