// When a conversation was last active, as its row in the list shows it:
// the time today, the weekday within the last week, else the date.

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const date = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const DAY_MS = 24 * 60 * 60 * 1000;

export function rowTime(at: number, now: number): string {
  const then = new Date(at);
  const today = new Date(now);
  if (then.toDateString() === today.toDateString()) return time.format(then);
  if (now - at < 6 * DAY_MS && at < now) return weekday.format(then);
  return date.format(then);
}
