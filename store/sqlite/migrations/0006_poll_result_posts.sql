-- Whether each closed poll's result has been posted, and the retries of a
-- result post that failed.
--
-- result_state is '' while the poll is open. The conditional update that
-- closes a poll sets it to 'sending' in the same statement, so the caller
-- that closed the poll owns the first post. Then:
--   'posted'    the result was posted and the final card shown;
--   'retry'     an attempt failed; result_next_try is when to try again;
--   'sending'   an attempt is under way (claimed from 'retry' by a
--               conditional update, so only one caller posts);
--   'failed'    attempts went on for 24 hours after the close and failed;
--   'uncertain' Union Hall stopped during an attempt, so whether the post
--               went out is unknown; it is not posted again.
-- result_posted_at is set as soon as the result post succeeds (a retry then
-- only re-renders the card); it stays NULL until then.
ALTER TABLE polls ADD COLUMN result_state TEXT NOT NULL DEFAULT ''
	CHECK (result_state IN ('', 'sending', 'retry', 'posted', 'failed', 'uncertain'));
ALTER TABLE polls ADD COLUMN result_posted_at TEXT;      -- UTC, NULL until the result is posted
ALTER TABLE polls ADD COLUMN result_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE polls ADD COLUMN result_next_try TEXT;       -- UTC, set in state 'retry'
ALTER TABLE polls ADD COLUMN result_error TEXT NOT NULL DEFAULT '';

-- Polls closed before this migration: their result was posted or its
-- failure logged back then. Count them as posted, so an upgrade does not
-- post old results again.
UPDATE polls SET result_state = 'posted', result_posted_at = closed_at WHERE closed_at IS NOT NULL;

CREATE INDEX polls_result_retry ON polls (result_next_try) WHERE result_state = 'retry';
CREATE INDEX polls_result_unposted ON polls (platform, channel) WHERE result_state IN ('sending', 'retry', 'failed', 'uncertain');
