/** What kind of harm a reason names, as rules/labelling-guide.md defines them; shown to moderators. */
export const CATEGORIES = [
  "insult",
  "profanity",
  "hate",
  "sexual_harassment",
  "threat",
  "personal_data",
  "illegal",
  "spam",
  "impersonation",
] as const;
export type Category = (typeof CATEGORIES)[number];
