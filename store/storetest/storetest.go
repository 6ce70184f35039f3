// Package storetest is the conformance suite of Union Hall's storage
// engines. Every engine (store/sqlite, store/postgres) runs it from its
// own tests with Run, so that the features behave the same on each: one
// ballot per member and poll, exact tallies under concurrent voting,
// secret ballots that cannot be linked to voters, polls closed exactly
// once, reminders posted at most once with interrupted posts reported,
// retries on their schedule, result posts retried at most once, nudges
// sent once, and the FAQ (promoted entries among them), card location, unit, roster and settings
// records.
//
// Where the features' Store interfaces leave a rule implicit, the test
// that checks it says so in its doc comment: those comments are the
// contract an engine must meet.
//
// Several tests open the same database more than once at the same time.
// Each handle stands for a separate Union Hall process (a replica): what
// must hold across processes, such as exactly-once claims, is raced
// between handles as well as between goroutines.
package storetest

import (
	"context"
	"os"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

// Engine is a storage engine under test.
type Engine struct {
	// Fresh creates an empty database that lasts until the test ends and
	// returns its address, which Open takes: a file path, a URL.
	Fresh func(t testing.TB) string
	// Open opens the database at addr, taking time from clock, and
	// applies its migrations.
	Open func(ctx context.Context, addr string, clock bot.Clock) (*Stores, error)
}

// Database is an open database of an engine.
type Database interface {
	// Stores returns every store on the database.
	Stores() store.Stores
	// Close closes the database.
	Close() error
}

// NewEngine returns the engine whose databases fresh creates and open
// opens; rows reads what a database holds of a poll beneath the Store
// interface (see Stores.PollRows).
func NewEngine[DB Database](fresh func(t testing.TB) string, open func(ctx context.Context, addr string, clock bot.Clock) (DB, error),
	rows func(ctx context.Context, db DB, pollID int64, secret bool) (PollRows, error)) Engine {
	return Engine{Fresh: fresh, Open: func(ctx context.Context, addr string, clock bot.Clock) (*Stores, error) {
		db, err := open(ctx, addr, clock)
		if err != nil {
			return nil, err
		}
		pollRows := func(ctx context.Context, pollID int64, secret bool) (PollRows, error) {
			return rows(ctx, db, pollID, secret)
		}
		return &Stores{Stores: db.Stores(), PollRows: pollRows, Close: db.Close}, nil
	}}
}

// Stores are the stores of one open database, with what the tests need
// beside them.
type Stores struct {
	store.Stores
	// PollRows reads what the engine keeps of a poll beneath the Store
	// interface, for the consistency checks the interface cannot make.
	PollRows func(ctx context.Context, pollID int64, secret bool) (PollRows, error)
	// Close closes the database.
	Close func() error
}

// PollRows is what a database holds of one poll's votes, read straight
// from its tables.
type PollRows struct {
	// Voters is the poll's stored count of voters.
	Voters int
	// Ballots is the number of ballot rows (open ballots) or participant
	// rows (secret ballots).
	Ballots int
	// Counts are the poll's vote counters, summed over units, by option.
	Counts map[int]int
}

// childEnv names the database that the child process of the crash test
// votes in; see crashChild.
const childEnv = "UNIONHALL_STORETEST_CRASH_DB"

// Run runs the conformance suite against an engine, each test on a fresh
// database and in parallel with the others. Call it from a top-level test
// that does nothing else: the crash test runs that test again in a child
// process, where Run plays the child's part.
func Run(t *testing.T, e Engine) {
	if addr := os.Getenv(childEnv); addr != "" {
		crashChild(e, addr)
		return
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// tests is the suite, in the order Run starts them.
var tests = []test{
	{"SettingOrInitKeepsTheFirstValue", testSettingOrInit},
	{"SettingOrInitRacedByReplicas", testSettingOrInitRaced},
	{"CardLocationsSurviveRestartAndForget", testCardLocationsSurviveRestart},
	{"CardLocationsAreBounded", testCardLocationsAreBounded},
	{"CardLocationsBoundedUnderConcurrentSaves", testCardLocationsConcurrent},
	{"FAQFeedbackKeepsOneVerdictPerMember", testFAQFeedback},
	{"FAQUnansweredAreGroupedAndCounted", testFAQUnanswered},
	{"FAQPhrasingsPersistOnceEach", testFAQPhrasings},
	{"FAQPassageAnswersAreGroupedAndCounted", testFAQPassageAnswers},
	{"FAQPromotionsPersistOncePerPassage", testFAQPromotions},
	{"ConcurrentVotesTallyExactly", testConcurrentVotes},
	{"ConcurrentVotesFromReplicas", testVotesFromReplicas},
	{"ConcurrentChangesKeepCountersExact", testConcurrentChanges},
	{"NoVoteCountedAfterClose", testNoVoteAfterClose},
	{"RefusedVotesDoNotAffectOthers", testRefusedVotesIndependent},
	{"VoteChangeMovesCounters", testVoteChange},
	{"OneBallotPerMemberAndPoll", testOneBallotPerMember},
	{"SecretBallotRecordsNoChoices", testSecretBallotUnlinkable},
	{"ClosePollExactlyOnce", testClosePollOnce},
	{"CrashKeepsConfirmedVotes", testCrashKeepsConfirmedVotes},
	{"PollsStoredAndListed", testPollsStoredAndListed},
	{"UnitsRemembered", testUnits},
	{"RosterReplacedWhole", testRosterReplacedWhole},
	{"EligibilityStored", testEligibilityStored},
	{"NudgeClaimedOnce", testNudgeClaimedOnce},
	{"ParticipantsOfBothBallots", testParticipantsOfBothBallots},
	{"AuditTrailOutlivesDeletedPoll", testAuditTrail},
	{"PollEventsClaimedOnce", testPollEventsClaimedOnce},
	{"ClaimResultPostOnce", testClaimResultPostOnce},
	{"ResultPostRetriesAndRecords", testResultPostLifecycle},
	{"ResultPostsInterruptedAtStartUp", testResultsInterrupted},
	{"RestartAtEveryStep", testRestartAtEveryStep},
	{"CatchUpWithinGraceAndSkipBeyond", testCatchUpWithinGraceAndSkipBeyond},
	{"MissedRecurringOccurrencesCollapse", testMissedRecurringOccurrencesCollapse},
	{"DaylightSavingThroughScheduler", testDaylightSavingThroughScheduler},
	{"ThousandAtTheSameSecond", testThousandAtTheSameSecond},
	{"FailedPostsAreRetriedWithBackoff", testFailedPostsAreRetriedWithBackoff},
	{"PanickingPlatformIsRetried", testPanickingPlatformIsRetried},
	{"FailingPostGivesUpAndIsReported", testFailingPostGivesUpAndIsReported},
	{"DeleteCancelsRetries", testDeleteCancelsRetries},
	{"NoAnnouncementChannelIsLoggedNotPosted", testNoAnnouncementChannelIsLoggedNotPosted},
	{"SyncDeadlinesIsIdempotent", testSyncDeadlinesIsIdempotent},
	{"RunLoop", testRunLoop},
	{"ZeroGracePostsWhatComesDueWhileRunning", testZeroGracePostsWhatComesDueWhileRunning},
	{"ClaimOccurrencesOnce", testClaimOccurrencesOnce},
	{"ClaimRetryOnceAndFinishOnce", testClaimRetryOnce},
	{"RemindersAndDeadlinesStored", testRemindersStored},
	{"DeliveriesTakenOnOnce", testDeliveriesTakenOnOnce},
}

// test is one conformance test.
type test struct {
	name string
	run  func(t *testing.T, e Engine)
}
