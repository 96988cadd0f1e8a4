// npm run token -- --member 42 [--role member|moderator|admin] [--ttl 3600]
// Mints a token signed with the configured JWT_SECRET (or the development secret), for local use.
import { parseArgs } from "node:util";
import { mintToken, MEMBER_ID_PATTERN, ROLES, type Role } from "../src/auth/token.ts";
import { systemClock } from "../src/clock.ts";
import { loadServerConfig } from "../src/config.ts";


function fail(message: string): never {
  console.error(`${message}\nusage: npm run token -- --member ID [--role ${ROLES.join("|")}] [--ttl SECONDS]`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { member: { type: "string" }, role: { type: "string", default: "member" }, ttl: { type: "string", default: "86400" } },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (!values.member || !MEMBER_ID_PATTERN.test(values.member)) fail("--member must be a member id (letters, digits, _ or -)");
if (!ROLES.includes(values.role as Role)) fail(`--role must be one of ${ROLES.join(", ")}`);
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail("--ttl must be a positive number of seconds");

const config = loadServerConfig(process.env);
console.log(
  await mintToken({ memberId: values.member, role: values.role as Role }, config.jwtSecret, {
    now: systemClock.now(),
    ttlSeconds,
  }),
);
