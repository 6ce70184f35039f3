// Package polls runs informal straw polls: stewards open them with /poll,
// members vote with one click or /vote, and the tally shows the overall
// split, the split by union or bargaining unit, and whether the result
// would pass under the poll's rule (majority, two-thirds, or the
// coalition's rule such as "14 of 15 unions and 80 percent of the
// membership").
//
// # Ballots
//
// Every member has at most one ballot per poll; the store enforces it with
// a unique constraint, not a check before the insert.
//
// On an open ballot (the default) a member may change their vote until the
// poll closes. On a single-choice poll a new /vote replaces the old choice.
// On a multi-choice poll (--multi or --max N), naming one option (or
// clicking its button) adds it to your choices, naming two or more replaces
// your choices with exactly those, and --only with one option makes it your
// only choice. Naming an option that is already counted changes nothing and
// says so.
//
// A secret ballot (--anonymous) records who took part separately from what
// was chosen: the choice only increments per-option counters, so nothing in
// the database links a choice to a member. For the same reason a secret
// vote cannot be changed once cast: no one, the bot included, knows which
// counters to move. On a multi-choice secret ballot members give all their
// choices in one /vote.
//
// # Rules and "in favour"
//
// A rule applies to single-choice polls. The "in favour" and "against"
// options are found from their labels when exactly one option reads as yes
// (yes, for, in favour, approve, support, agree, ratify, accept) and exactly
// one as no (no, against, oppose, reject, disagree); otherwise option 1 is
// in favour and option 2 against. Any further options (such as "Undecided")
// count toward turnout but neither for nor against. The card states which
// option is which. A poll opened without --rule shows its split and the
// leading option, and no pass or fail.
//
// # Closing
//
// A poll with --closes closes itself at that time, exactly once: the store
// marks it closed with a conditional update and only the caller that made
// the change posts the result. Polls whose time passed while the process
// was down close at start-up.
//
// # Result posts
//
// Whether a closed poll's result was posted is recorded with the poll. The
// update that closes a poll also puts its result post in state "sending",
// so the caller that closed it owns the first attempt. A successful post
// records its time (result_posted_at) at once, then the final card is
// shown and the post marked "posted". A failed attempt (result or card) is
// recorded as "retry" with its attempt count and next try, persisted so
// retries survive a restart: the next try comes 1 minute after the first
// failure, then 2, 4, 8, 16 and at most 30 minutes apart, and the last at
// 24 hours after the close; a failure then marks it "failed" with an ERROR
// log. The close job (Run, CloseDue) makes the due retries, each
// claimed first with a conditional update (retry to sending), so racing
// closers post a result once. A retry whose result was already posted
// only re-renders the card.
//
// Posts are at most once: when Union Hall stops during an attempt, the
// next start-up finds the post still "sending" without a posted time and
// cannot know whether it went out, so it marks it "uncertain", logs an
// ERROR, and does not post again (as reminders do). A post left with only
// its card to show is retried. Stewards see every result that is not
// posted, failed or uncertain in /poll results and /poll list.
package polls
