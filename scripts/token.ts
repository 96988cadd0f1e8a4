// npm run --silent token -- --member 42 [--role member|moderator|admin] [--ttl 3600]
// Mints a token signed with the configured JWT_SECRET (or the development secret), for local use.
// stdout carries the token alone, so `TOKEN=$(npm run -s token -- --member 42)` captures it; notes and
// errors go to stderr. (`--silent` keeps npm's own "> comment-moderation token" banner off stdout.)
import { parseArgs } from "node:util";
import { mintToken, MEMBER_ID_PATTERN, ROLES, type Role } from "../src/auth/token.ts";
import { systemClock } from "../src/clock.ts";
import { ConfigError, loadServerConfig } from "../src/config.ts";


function fail(message: string): never {
  console.error(`${message}\nusage: npm run token -- --member ID [--role ${ROLES.join("|")}] [--ttl SECONDS]`);
  process.exit(2);
}

let config;
try {
  config = loadServerConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  fail(error.message);
}

let values;
try {
  ({ values } = parseArgs({
    options: { member: { type: "string" }, role: { type: "string", default: "member" }, ttl: { type: "string", default: String(config.maxTokenAgeSeconds) } },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (!values.member || !MEMBER_ID_PATTERN.test(values.member)) fail("--member must be a member id (letters, digits, _ or -)");
if (!ROLES.includes(values.role as Role)) fail(`--role must be one of ${ROLES.join(", ")}`);
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail("--ttl must be a positive number of seconds");
// The API refuses tokens that live longer than MAX_TOKEN_AGE_SECONDS; do not mint one it would refuse.
if (ttlSeconds > config.maxTokenAgeSeconds) fail(`--ttl may be at most MAX_TOKEN_AGE_SECONDS (${config.maxTokenAgeSeconds})`);

if (config.usingDevelopmentSecret) console.error("JWT_SECRET is not set: signed with the development secret (local use only).");
const token = await mintToken({ memberId: values.member, role: values.role as Role }, config.jwtSecret, {
  now: systemClock.now(),
  ttlSeconds,
});
process.stdout.write(`${token}\n`);
