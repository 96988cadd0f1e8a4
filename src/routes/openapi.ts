import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { CATEGORIES } from "../moderation/verdict.ts";
import { memberActionSchema, memberNoteSchema } from "../members/actions.ts";
import { erasureSchema } from "../members/data-requests.ts";
import { decisionInputSchema } from "../review/decide.ts";
import { escalateSchema } from "../review/escalate.ts";
import { bulkDecisionSchema } from "../review/bulk.ts";
import { moderatorSitesSchema, roleLimitSchema } from "../members/roles.ts";
import { secondLookInputSchema } from "../review/second-look.ts";
import { createEndpointSchema, updateEndpointSchema } from "../webhooks/endpoints.ts";
import { putArticleSchema } from "./articles.ts";
import { editCommentSchema, submitCommentSchema } from "./comments.ts";
import { appealSchema } from "./decisions.ts";
import { nicknameSchema, registerSchema } from "./members.ts";
import { reportSchema } from "./reports.ts";
import { addTagSchema } from "./tags.ts";
import { claimSchema } from "./review.ts";

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

const spanSchema = {
  type: "object",
  description: "[start, end) in UTF-16 code units of the comment as the member wrote it",
  properties: {
    start: { type: "integer" },
    end: { type: "integer" },
    text: { type: "string" },
    term: { type: "string", description: "the listed term these characters spell (幹你娘 for ㄍㄋㄋ)" },
    mention: {
      enum: ["reported", "quoted"],
      description: "the words are mentioned, not used: reported (quoted with a reporting verb, or asked about) only flags; quoted holds at most",
    },
  },
};

const reasonSchema = {
  type: "object",
  properties: {
    ruleId: { type: "string" },
    forumRule: { enum: ["R1", "R2", "R3", "R4"] },
    severity: { enum: ["low", "medium", "high", "critical"] },
    category: { enum: [...CATEGORIES], description: "the kind of harm, as rules/labelling-guide.md defines it" },
    action: { enum: ["reject", "review", "flag"], description: "the rule's action, lowered where its words are only mentioned" },
    message: { type: "string", description: "zh-TW, shown to the member" },
    spans: { type: "array", items: spanSchema },
  },
};

const verdictSchema = {
  type: "object",
  properties: {
    action: { enum: ["allow", "review", "reject"] },
    reasons: { type: "array", items: reasonSchema },
    score: { type: ["number", "null"] },
    rulesVersion: { type: "string" },
    modelVersion: { type: ["string", "null"] },
  },
};

const authorCommentSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    articleId: { type: "string" },
    memberId: { type: "string" },
    body: { type: "string" },
    status: { enum: ["published", "pending", "removed"] },
    createdAt: { type: "string", format: "date-time" },
    verdict: verdictSchema,
  },
};

const articleSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    title: { type: "string" },
    body: { type: "string" },
    url: { type: ["string", "null"] },
    publishedAt: { type: ["string", "null"], format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    publishedCommentCount: { type: "integer" },
  },
};

const json = (schema: object) => ({ "application/json": { schema } });
const error = (description: string) => ({ description, content: json(errorSchema) });
// The public reads answer an ETag (with Cache-Control: public, max-age=5, stale-while-revalidate=30) and
// 304 to a request that names it (src/http/cache.ts).
const ifNoneMatchParameter = {
  name: "If-None-Match",
  in: "header",
  required: false,
  schema: { type: "string" },
  description: "an ETag this endpoint answered: 304 while the resource is unchanged",
};
const notModified = { description: "unchanged since the ETag named in If-None-Match; no body" };

const articleIdParameter = { name: "id", in: "path", required: true, schema: { type: "string" } };
const bearer = [{ bearer: [] }];

export function openApiDocument(forumRulesVersion: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Comment moderation service",
      version: "0.1.0",
      description:
        "Comments on news articles, screened against the site's four forum rules. Errors are " +
        '`{ "error": { "code", "message", "details"? } }`. Current forum rules version: ' +
        forumRulesVersion,
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT (HS256; sub, role)" } },
    },
    paths: {
      "/articles/{id}": {
        put: {
          summary: "Create or replace an article (the site's CMS; admin role)",
          security: bearer,
          parameters: [articleIdParameter],
          requestBody: { required: true, content: json(z.toJSONSchema(putArticleSchema)) },
          responses: {
            "200": { description: "replaced", content: json({ type: "object", properties: { article: articleSchema } }) },
            "201": { description: "created", content: json({ type: "object", properties: { article: articleSchema } }) },
            "400": error("invalid JSON, id or fields"),
            "401": error("no, invalid or expired token"),
            "403": error("not an admin"),
            "413": error("request too large"),
            "415": error("not application/json"),
          },
        },
        get: {
          summary: "An article with its published comment count; a browser (Accept: text/html) gets the article's comment page",
          parameters: [articleIdParameter, ifNoneMatchParameter],
          responses: {
            "304": notModified,
            "200": {
              description: "the article (JSON), or the public page with its published comments, tags, forum rules and the forms (HTML)",
              content: { ...json({ type: "object", properties: { article: articleSchema } }), "text/html": { schema: { type: "string" } } },
            },
            "404": error("unknown article"),
          },
        },
      },
      "/articles/{id}/comments": {
        post: {
          summary: "Post a comment; it is moderated before it is stored",
          security: bearer,
          parameters: [articleIdParameter],
          requestBody: { required: true, content: json(z.toJSONSchema(submitCommentSchema)) },
          responses: {
            "201": { description: "published", content: json({ type: "object", properties: { comment: authorCommentSchema } }) },
            "202": {
              description:
                "held for a moderator (pending); `premoderation.ruleId` when the rules allowed it and the member's trust level held it: R0-new-member, R0-watched or R0-link (rules/policy.yaml trust)",
              content: json({
                type: "object",
                properties: {
                  comment: authorCommentSchema,
                  message: { type: "string" },
                  premoderation: { type: "object", properties: { ruleId: { type: "string", enum: ["R0-new-member", "R0-watched", "R0-link"] } } },
                },
              }),
            },
            "400": error("invalid JSON, empty comment or unknown fields; a reply (parentId) to another article's comment (parent_not_on_article) or to a reply (reply_to_reply)"),
            "401": error("no, invalid or expired token"),
            "403": error("member suspended (details.suspendedUntil) or revoked"),
            "404": error("unknown article, or parent_not_found"),
            "409": error("rules_not_accepted (details.currentVersion), idempotency_key_reused, warning_unacknowledged or parent_not_published"),
            "413": error("comment or request too large"),
            "415": error("not application/json"),
            "422": error("comment_rejected: stored as removed; details.reasons name the rules and spans"),
          },
        },
        get: {
          summary: "Published comments, newest first",
          parameters: [
            articleIdParameter,
            ifNoneMatchParameter,
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
            { name: "cursor", in: "query", schema: { type: "string" }, description: "nextCursor of the previous page" },
          ],
          responses: {
            "200": {
              description: "one page",
              content: json({
                type: "object",
                properties: {
                  articleId: { type: "string" },
                  publishedCount: { type: "integer" },
                  comments: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        id: { type: "string" },
                        memberId: { type: "string" },
                        nickname: { type: ["string", "null"] },
                        body: { type: "string" },
                        createdAt: { type: "string", format: "date-time" },
                      },
                    },
                  },
                  nextCursor: { type: ["string", "null"] },
                },
              }),
            },
            "304": notModified,
            "400": error("invalid limit or cursor"),
            "404": error("unknown article"),
          },
        },
      },
      "/articles/{id}/tags": {
        post: {
          summary: "Add a tag to an article, or support an existing one; meaningless, abusive and unrelated tags are refused (R3)",
          security: bearer,
          parameters: [articleIdParameter],
          requestBody: { required: true, content: json(z.toJSONSchema(addTagSchema)) },
          responses: {
            "200": { description: "an existing tag, now with the caller among its supporters", content: json({ type: "object" }) },
            "201": { description: "tag created", content: json({ type: "object" }) },
            "202": { description: "tag held for a moderator (unsure relatedness or a rule's review)", content: json({ type: "object" }) },
            "400": error("tag_length or invalid input"),
            "403": error("member_suspended or member_revoked"),
            "404": error("article_not_found"),
            "409": error("tag_removed"),
            "422": error("tag_meaningless, tag_rejected (abuse) or tag_unrelated"),
          },
        },
        get: {
          summary: "The article's published tags with their supporter counts",
          parameters: [articleIdParameter, ifNoneMatchParameter],
          responses: { "200": { description: "tags, most supported first", content: json({ type: "object" }) }, "304": notModified, "404": error("article_not_found") },
        },
      },
      "/nicknames/check": {
        post: {
          summary: "Would this nickname be accepted? (the registration form's live check; creates nothing)",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(nicknameSchema)) },
          responses: { "200": { description: "{ outcome: allow|review|reject, code, message, reasons, similarTo }", content: json({ type: "object" }) } },
        },
      },
      "/members": {
        post: {
          summary: "Register the caller with a nickname (screened against R4) and the accepted forum rules version",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(registerSchema)) },
          responses: {
            "201": { description: "registered", content: json({ type: "object" }) },
            "202": { description: "registered; the nickname waits for a moderator", content: json({ type: "object" }) },
            "400": error("nickname_too_short, nickname_too_long, nickname_invalid_characters"),
            "409": error("nickname_taken, member_exists or rules_not_accepted"),
            "422": error("nickname_abusive, nickname_personal_data, nickname_impersonates_staff, nickname_impersonates_public_figure"),
          },
        },
      },
      "/members/{id}/nickname": {
        patch: {
          summary: "Change one's own nickname (screened as at registration)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(nicknameSchema)) },
          responses: {
            "200": { description: "changed", content: json({ type: "object" }) },
            "202": { description: "changed; waits for a moderator", content: json({ type: "object" }) },
            "403": error("not_yourself, member_suspended or member_revoked"),
            "404": error("member_not_found"),
            "409": error("nickname_taken"),
            "422": error("the nickname breaks R4 (code says why)"),
          },
        },
      },
      "/reports": {
        post: {
          summary: "Report a comment or a member (網友檢舉); enough weight of distinct reporters hides a comment until a moderator decides",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(reportSchema)) },
          responses: {
            "201": { description: "report recorded; `hidden` says whether the comment is now hidden", content: json({ type: "object" }) },
            "400": error("invalid JSON or fields"),
            "401": error("no, invalid or expired token"),
            "403": error("cannot_report_own, member_suspended or member_revoked"),
            "404": error("subject_not_found"),
            "409": error("already_reported"),
          },
        },
      },
      "/review/items": {
        get: {
          summary: "The review queue, highest priority first (moderator)",
          security: bearer,
          parameters: ["kind", "subject", "forumRule", "source", "state", "escalated", "memberId", "articleId", "site", "limit", "cursor"].map((name) => ({ name, in: "query", schema: { type: "string" } })),
          responses: {
            "200": {
              description:
                "one page of items and nextCursor; each item with `escalation`, `age` (ageHours against targetHours, overdue) and `card`: the subject's whole `text`, `subjectVersion`, the `reasons` (rule, forum rule, category, severity, action, message, marked spans), the classifier's `score` and `reports` counted by reason. `memberId`: only items about that member's conduct; `articleId`: only items on that article",
              content: json({ type: "object" }),
            },
            "403": error("not a moderator"),
          },
        },
      },
      "/review/items/{id}": {
        get: {
          summary:
            "One review item with its subject, sources (rule hits, scores, reports, appeals), reports, the appealed decision, and the member's standing: status, strikes and recent decisions (moderator)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "the item", content: json({ type: "object" }) }, "404": error("review_item_not_found") },
        },
      },
      "/review/counts": {
        get: {
          summary: "Open items by kind, subject, forum rule and source, how many are under a live lease, and the newest item's id (where a live queue starts watching) (moderator)",
          security: bearer,
          responses: { "200": { description: "{ open, claimed, byKind, bySubject, byForumRule, bySource, latest }", content: json({ type: "object" }) }, "403": error("not a moderator") },
        },
      },
      "/review/live": {
        get: {
          summary:
            "The live queue's look (moderator): the counts, the open items opened after item `since` (0: any), at most 20 by priority with their cards (a moderator's leave out escalated items), and `latest` to ask from next time",
          security: bearer,
          parameters: [{ name: "since", in: "query", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "{ counts, latest, items }", content: json({ type: "object" }) }, "400": error("invalid input"), "403": error("not a moderator") },
        },
      },
      "/review/claim": {
        post: {
          summary:
            "Hand the caller the next open item with a time-limited lease; two moderators never get the same item (moderator). Moderators never get an escalated item; an admin gets any, or with `escalated: true` the next escalated one",
          security: bearer,
          requestBody: { required: false, content: json(z.toJSONSchema(claimSchema)) },
          responses: { "200": { description: "{ item } or { item: null } when the queue is empty", content: json({ type: "object" }) } },
        },
      },
      "/review/second-looks": {
        get: {
          summary:
            "Open blind second looks the caller may take (moderator): moderators' decisions sampled by review.secondLookShare, each with the subject's card (text, reasons, score, reports) and nothing of the decision; never the caller's own decisions or decisions about the caller",
          security: bearer,
          responses: { "200": { description: "{ looks: [{ id, subjectKind, subjectId, createdAt, card }] }", content: json({ type: "object" }) }, "403": error("not a moderator") },
        },
      },
      "/review/second-looks/{id}": {
        post: {
          summary: "The caller's own call on a second look (approve, or remove with forum rules); answered with the first decision and whether the two agree (the same side: a violation or not). Changes nothing about the subject",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(secondLookInputSchema, { io: "input" })) },
          responses: {
            "200": { description: "{ look: { agrees, reviewerAction, … }, first: the decision }", content: json({ type: "object" }) },
            "400": error("invalid input, forum_rule_required"),
            "403": error("conflict_of_interest (the caller's own decision, or about the caller)"),
            "404": error("second_look_not_found"),
            "409": error("second_look_done"),
          },
        },
      },
      "/review/items/{id}/escalate": {
        post: {
          summary: "Hand an open item to the admins with a note (moderator): it leaves the moderators' claims, and only an admin decides it",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(escalateSchema)) },
          responses: {
            "200": { description: "{ item } with its escalation", content: json({ type: "object" }) },
            "400": error("invalid input"),
            "404": error("review_item_not_found"),
            "409": error("already_escalated, already_decided or item_withdrawn"),
          },
        },
      },
      "/review/bulk-decisions": {
        post: {
          summary:
            "One action (approve, remove, dismiss_reports) and note over many open moderation items (moderator): the chosen `itemIds` (at most 100), or every open item of `memberId` or on `articleId` (a moderator's selection leaves out escalated items). Each item is decided in its own transaction, with its own decision row naming the batch (facts.bulk); an item that cannot be decided fails alone",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(bulkDecisionSchema)) },
          responses: {
            "200": {
              description:
                "{ batchId, decided, failed, more, results: [{ itemId, ok: true, decision, strikeSuspension } | { itemId, ok: false, error: { code, message } }] }; `more`: the selection had more than 100 open items, send it again for the rest. Per-item codes are those of POST /review/items/{id}/decision",
              content: json({ type: "object" }),
            },
            "400": error("invalid input (exactly one of itemIds, memberId, articleId), forum_rule_required"),
            "403": error("not a moderator"),
          },
        },
      },
      "/review/items/{id}/decision": {
        post: {
          summary: "Decide an item: approve, remove, remove_and_suspend, revoke, dismiss_reports; uphold or reverse for appeals (moderator)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(decisionInputSchema)) },
          responses: {
            "201": { description: "the decision, and the automatic suspension it triggered if any", content: json({ type: "object" }) },
            "400": error("invalid input, action_not_for_item, forum_rule_required, suspend_days_required"),
            "403": error("conflict_of_interest, or escalated_to_admins (a moderator deciding an escalated item)"),
            "404": error("review_item_not_found"),
            "409": error("already_decided, claimed_by_another_moderator, item_withdrawn, subject_deleted or subject_changed (subjectVersion is not the comment's version)"),
          },
        },
      },
      "/members/me/decisions": {
        get: {
          summary: "The caller's statement of reasons: every decision that affected them, with how long it can be appealed",
          security: bearer,
          responses: { "200": { description: "decisions, newest first", content: json({ type: "object" }) } },
        },
      },
      "/comments/{id}": {
        patch: {
          summary:
            "Edit one's own comment within rules/policy.yaml's edits.windowMinutes; moderated like a new comment, earlier versions kept. A published comment stays published when the new text is allowed, waits for a moderator when it is held; a held comment stays held",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(editCommentSchema)) },
          responses: {
            "200": { description: "edited (version, editedAt)", content: json({ type: "object", properties: { comment: authorCommentSchema } }) },
            "202": { description: "edited; waits for a moderator", content: json({ type: "object", properties: { comment: authorCommentSchema, message: { type: "string" } } }) },
            "403": error("not_your_comment, member_suspended or member_revoked"),
            "404": error("comment_not_found"),
            "409": error("edit_window_closed, comment_not_editable (removed or deleted) or warning_unacknowledged"),
            "422": error("edit_rejected: the rules would reject the new text; the comment is unchanged (details.reasons)"),
          },
        },
        delete: {
          summary: "Delete one's own comment: gone from the page and the count, kept for the decision record; a held comment's review item is withdrawn",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "deleted", content: json({ type: "object", properties: { comment: authorCommentSchema } }) },
            "403": error("not_your_comment"),
            "404": error("comment_not_found"),
            "409": error("already_deleted, or comment_not_deletable (taken down by a moderator)"),
          },
        },
      },
      "/members/me": {
        get: {
          summary: "The caller as this service knows them: nickname and its status, standing, trust level, warnings to acknowledge",
          security: bearer,
          responses: { "200": { description: "{ member }", content: json({ type: "object" }) }, "404": error("member_not_found (never posted or registered)") },
        },
      },
      "/webhooks/endpoints": {
        post: {
          summary:
            "Register a webhook endpoint (admin): an http(s) URL and the events it wants (decision.created, comment.held, member.sanctioned, appeal.decided). The answer holds the signing secret, shown this once",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(createEndpointSchema, { io: "input" })) },
          responses: { "201": { description: "{ endpoint, secret }", content: json({ type: "object" }) }, "400": error("invalid input"), "403": error("not an admin") },
        },
        get: {
          summary: "The webhook endpoints, without their secrets (admin)",
          security: bearer,
          responses: { "200": { description: "{ endpoints }", content: json({ type: "object" }) }, "403": error("not an admin") },
        },
      },
      "/webhooks/endpoints/{id}": {
        patch: {
          summary: "Change an endpoint's url, events or description, or switch it off (active: false) or on (admin); a switched-off endpoint is paused: its deliveries keep being written and wait, and go in order once it is on again",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(updateEndpointSchema, { io: "input" })) },
          responses: { "200": { description: "{ endpoint }", content: json({ type: "object" }) }, "400": error("invalid input"), "404": error("endpoint_not_found") },
        },
      },
      "/webhooks/deliveries": {
        get: {
          summary: "The delivery log, newest first (admin): each delivery's state (pending, delivered, failed), attempts, next attempt, last status and error, with its event",
          security: bearer,
          parameters: ["endpointId", "state", "limit", "before"].map((name) => ({ name, in: "query", schema: { type: "string" } })),
          responses: { "200": { description: "{ deliveries, nextBefore }", content: json({ type: "object" }) }, "403": error("not an admin") },
        },
      },
      "/webhooks/deliveries/{id}/replay": {
        post: {
          summary: "Send a delivery again whatever its state (admin): due now, its attempts counted afresh; not while a sender holds it (409 delivery_in_flight)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "{ delivery }", content: json({ type: "object" }) }, "404": error("delivery_not_found"), "409": error("delivery_in_flight") },
        },
      },
      "/members/me/sessions": {
        get: {
          summary: "The caller's live web sessions (signed-in browsers), the most recently used first: id, role, userAgent, createdAt, lastSeenAt, expiresAt",
          security: bearer,
          responses: { "200": { description: "{ sessions }", content: json({ type: "object" }) } },
        },
      },
      "/members/me/sessions/{id}/end": {
        post: {
          summary: "End one of the caller's live web sessions at once: its cookie opens nothing from the next request",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "{ ended }", content: json({ type: "object" }) }, "404": error("session_not_found (not the caller's live session)") },
        },
      },
      "/members/me/data": {
        get: {
          summary:
            "Download the caller's data (Personal Data Protection Act): member, comments with earlier versions, tags proposed and supported, reports, decisions that affected them (statements of reasons), appeals, warnings, trust changes, sign-ins, earlier data requests; recorded",
          security: bearer,
          responses: {
            "200": { description: "the document, as an attachment (Content-Disposition), never cached", content: json({ type: "object" }) },
            "404": error("member_not_found (the service holds nothing about the caller)"),
          },
        },
      },
      "/members/me/erasure": {
        post: {
          summary:
            "Erase the caller's texts and personal data: comments leave the pages and counts and are blanked with their earlier versions; nickname, tag supports, report and appeal notes, fingerprints go; decisions keep their grounds with the subject's text redacted; sessions end; recorded",
          security: bearer,
          requestBody: { required: true, content: json(z.toJSONSchema(erasureSchema)) },
          responses: {
            "200": { description: "{ erasure: { erasedAt, commentsTakenDown, commentTextsErased, earlierVersionsErased, reviewItemsWithdrawn, decisionsRedacted, reviewSourcesRedacted, reportNotesErased, appealNotesErased, tagSupportsWithdrawn, sessionsEnded } }", content: json({ type: "object" }) },
            "400": error("invalid input ({\"confirm\": true} is required)"),
            "404": error("member_not_found"),
          },
        },
      },
      "/members/{id}/sites": {
        put: {
          summary:
            "Limit a moderator to some of the publisher's sites (admin; rules/sites.yaml), or with sites: null let them moderate every site; from their next request they see, claim and decide only those sites' items and read only those sites' stats and statements",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(moderatorSitesSchema)) },
          responses: {
            "200": { description: "{ memberId, sites }", content: json({ type: "object" }) },
            "400": error("invalid input, or unknown_site"),
            "403": error("not an admin"),
          },
        },
      },
      "/members/{id}/role-limit": {
        put: {
          summary:
            "Demote (admin): cap the role the member acts with whatever the login system's token says (null lifts the cap); their web sessions of a higher role end at once and their tokens act with the capped role from the next request",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(roleLimitSchema)) },
          responses: {
            "200": { description: "{ memberId, roleLimit, endedSessions }", content: json({ type: "object" }) },
            "400": error("invalid input"),
            "403": error("not an admin, or not_on_yourself"),
          },
        },
      },
      "/members/me/warnings": {
        get: {
          summary: "The caller's warnings, newest first: forum rules, the moderator's note, when acknowledged",
          security: bearer,
          responses: { "200": { description: "{ warnings }", content: json({ type: "object" }) } },
        },
      },
      "/members/me/warnings/{decisionId}/acknowledge": {
        post: {
          summary: "Acknowledge a warning; while one is unacknowledged the member may not post comments or tags (409 warning_unacknowledged)",
          security: bearer,
          parameters: [{ name: "decisionId", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "{ acknowledged }", content: json({ type: "object" }) }, "404": error("warning_not_found (not yours, or already acknowledged)") },
        },
      },
      "/members/{id}/actions": {
        post: {
          summary:
            "Act on a member without a queue item (moderator): warn (a strike of weight 0 the member must acknowledge), suspend for suspendDays, or revoke; takeDownComments removes their published and held comments, each with a decision of its own (source moderator_initiative)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(memberActionSchema)) },
          responses: {
            "201": { description: "{ decision, takedowns, strikeSuspension }", content: json({ type: "object" }) },
            "400": error("invalid input, suspend_days_required or suspend_days_not_for_action"),
            "403": error("not a moderator, or conflict_of_interest (oneself)"),
            "404": error("member_not_found"),
            "409": error("member_revoked"),
          },
        },
      },
      "/members/{id}/notes": {
        post: {
          summary: "A moderator's private note on a member (never shown to the member)",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(memberNoteSchema)) },
          responses: { "201": { description: "{ note }", content: json({ type: "object" }) }, "403": error("not a moderator"), "404": error("member_not_found") },
        },
      },
      "/members/{id}/history": {
        get: {
          summary:
            "A member's history (moderator): standing, strikes, trust level and why, comments by status, decisions, reports filed and received, warnings, notes and every change of trust level",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "the history", content: json({ type: "object" }) }, "403": error("not a moderator"), "404": error("member_not_found") },
        },
      },
      "/decisions/{id}/appeal": {
        post: {
          summary: "Appeal a decision once, within the window, as the affected member",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(z.toJSONSchema(appealSchema)) },
          responses: {
            "201": { description: "appeal recorded and queued", content: json({ type: "object" }) },
            "403": error("not_your_decision"),
            "404": error("decision_not_found"),
            "409": error("already_appealed, appeal_window_closed or not_appealable"),
          },
        },
      },
      "/stats": {
        get: {
          summary:
            "Decisions by forum rule, action, source and automation, in all and per day (site time zone); appeal reversal rate; median time to a human decision. Default range: the last 30 days, today included (moderator)",
          security: bearer,
          parameters: [
            ...["from", "to"].map((name) => ({ name, in: "query", schema: { type: "string", format: "date-time" } })),
            { name: "site", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": { description: "figures", content: json({ type: "object" }) }, "400": error("invalid range") },
        },
      },
      "/transparency/statements": {
        get: {
          summary:
            "The statements of reasons of every restrictive decision (remove, remove_and_suspend, suspend, revoke) on the Taipei days from `from` to `to`, both included, streamed oldest first as NDJSON or CSV, with the fields of the EU DSA Transparency Database listed in the README (moderator)",
          security: bearer,
          parameters: [
            { name: "from", in: "query", required: true, schema: { type: "string", format: "date" } },
            { name: "to", in: "query", required: true, schema: { type: "string", format: "date" } },
            { name: "format", in: "query", schema: { type: "string", enum: ["ndjson", "csv"] } },
            { name: "site", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "application/x-ndjson (one statement per line) or text/csv (a header row, then one statement per row)" },
            "400": error("invalid input or invalid_range"),
            "403": error("not a moderator"),
          },
        },
      },
      "/transparency/summary": {
        get: {
          summary: "Public: decisions per Taipei month by forum rule, action and automation, and the appeals upheld and reversed with the reversal rate",
          parameters: [
            { name: "months", in: "query", schema: { type: "integer", minimum: 1, maximum: 36 } },
            { name: "site", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": { description: "{ since, months: [{ month, total, byForumRule, byAction, byAutomation, appeals: { upheld, reversed, reversalRate } }] }", content: json({ type: "object" }) }, "400": error("invalid input") },
        },
      },
      "/healthz": { get: { summary: "The process is up", responses: { "200": { description: "ok" } } } },
      "/readyz": {
        get: {
          summary: "The database answers",
          responses: { "200": { description: "ready" }, "503": error("database_unavailable") },
        },
      },
    },
  };
}

export function openApiRoutes(forumRulesVersion: string) {
  const routes = new Hono<AppEnv>();
  const document = openApiDocument(forumRulesVersion);
  routes.get("/openapi.json", (c) => c.json(document));
  return routes;
}
