/** Time as the app sees it: injected so tests can move it (token expiry, suspensions ending). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const DAY_MS = 24 * 3600 * 1000;
