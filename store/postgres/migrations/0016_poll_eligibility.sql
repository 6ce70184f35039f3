-- Who may vote in a poll (polls.Eligibility as JSON: the units named with
-- --units, or the whole roster with --roster); NULL lets every member
-- vote, as every poll opened before this column did.
ALTER TABLE polls ADD COLUMN eligibility jsonb;
