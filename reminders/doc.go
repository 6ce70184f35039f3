// Package reminders posts scheduled reminders to every platform's
// announcement channel: reminders before deadlines (such as the Aug. 31
// ratification deadline of the default knowledge base), one-off reminders
// and recurring ones set with a cron spec. It also serves the /remind and
// /deadline commands.
//
// # The database is the source of truth
//
// Every reminder is a row holding its rule (a one-off time, a deadline and
// a lead time, or a cron spec), the time zone the rule is read in, and the
// next occurrence not yet handled, in UTC. Nothing about the schedule lives
// only in memory: robfig/cron is used to compute the next time a cron spec
// fires (Schedule.Next, in the reminder's zone), never to run jobs.
//
// # Exactly once: the claim protocol
//
// A Scheduler handles due occurrences in two steps.
//
//  1. Claim. In one transaction it moves the reminder's next occurrence
//     forward (guarded by the value it read, so two schedulers can never
//     claim the same occurrence) and inserts one delivery row per platform
//     under the unique key (reminder, occurrence, platform), in state
//     "sending". An occurrence whose row already exists is never sent again.
//  2. Send and record. It posts to each platform's announcement channel and
//     then records the outcome on that row: "sent", or "retry" with a time
//     for the next attempt.
//
// Because the record is written before the post, a restart never posts an
// occurrence twice: delivery is at most once. If the process dies after the
// claim and before the outcome is recorded, the delivery row is still
// "sending" at the next start-up. Union Hall cannot know whether the post
// went out (it may have died before the call, during it, or just after
// it), so it marks the row "uncertain", does not post again, logs an error
// naming the reminder, occurrence and platform, and lists it under
// "Needs attention" in /remind list so a steward can check the channel. No
// occurrence is ever dropped without such a record: a skipped, failed or
// uncertain delivery is always logged at warning or error level and shown.
//
// # Failed posts
//
// A post that fails (the adapter returned an error) is retried with
// exponential backoff (10 s, 20 s, 40 s, ... at most 5 minutes between
// attempts). Retries are persisted in the delivery row (attempt count and
// next attempt time), so they survive a restart, and are driven by the same
// clock as everything else. Each platform has its own workers, so a slow or
// failing platform never holds up the others, and a failing reminder never
// holds up other reminders. A delivery still failing once its occurrence
// is older than the grace period (or 30 minutes, if that is longer) is
// marked "failed" and logged as an error. An occurrence that comes due
// when no platform has an announcement channel is recorded as "skipped"
// and logged as an error.
//
// # Missed occurrences
//
// An occurrence that comes due while the scheduler is running is always
// posted, however small the grace period (even zero): the loop wakes at
// each due time, and a post up to Tolerance late (2 minutes, or twice the
// Recheck interval if longer) counts as on schedule.
//
// The grace period (6 hours by default) is about occurrences missed: one
// that came due while Union Hall was not running (before the scheduler
// started), or while the scheduler was held up for longer than the
// tolerance (the machine slept). Such an occurrence is posted once if it
// is less than the grace period late, with "(late: was due at ...)".
// Older occurrences are skipped: they are recorded as "skipped" and
// logged. A grace period of zero never posts missed occurrences. When
// several occurrences of a recurring reminder were missed, only the most
// recent one is posted, and only if it is within the grace period.
//
// # Time zones and daylight saving time
//
// One-off times are instants. Cron specs are read in the configured time
// zone, or in the zone named by a CRON_TZ= prefix. A daily 09:00 reminder
// fires at 09:00 local time on both sides of a daylight saving change. On
// the day clocks spring forward, an occurrence whose wall-clock time does
// not exist (02:30 in America/New_York) fires once, at the first valid
// time after the gap (03:00); several such occurrences collapse into that
// one post. On the day clocks fall back, an occurrence in the repeated hour
// fires once, the first time that wall-clock time comes round. A schedule
// that names every hour (such as "0 * * * *") keeps firing once per elapsed
// hour through the repeated hour, as it should. robfig/cron on its own
// skips the first case and fires twice in the second; Next corrects both.
//
// Lead times of whole days count calendar days in the deadline's zone (a
// reminder 7 days before a 17:00 deadline fires at 17:00), other lead times
// count elapsed time.
package reminders
