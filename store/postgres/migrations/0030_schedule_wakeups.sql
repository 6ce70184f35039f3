-- Every process on the database sleeps until the next time in its
-- schedules, and looks at the tables at least once a minute. When any
-- process brings a time forward (adds a reminder, opens a poll with a
-- deadline or a scheduled post, schedules a nudge or a retry), these
-- triggers send a notification on channel 'unionhall_wake', delivered to
-- every listening process when the transaction commits, so that each
-- looks at once. The payload names the schedulers concerned:
-- 'reminders' or 'polls' (see store.WakeReminders, store.WakePolls).
-- Identical notifications of one transaction are delivered once. Changes
-- that only push times back (a claim, a close) send nothing.

CREATE FUNCTION unionhall_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('unionhall_wake', TG_ARGV[0]);
	RETURN NULL;
END
$$;

CREATE TRIGGER reminders_added AFTER INSERT ON reminders
	FOR EACH ROW WHEN (NEW.next_at IS NOT NULL AND NEW.deleted_at IS NULL)
	EXECUTE FUNCTION unionhall_wake('reminders');
CREATE TRIGGER reminders_brought_forward AFTER UPDATE ON reminders
	FOR EACH ROW WHEN (NEW.next_at IS NOT NULL AND NEW.deleted_at IS NULL
		AND (OLD.next_at IS NULL OR NEW.next_at < OLD.next_at OR OLD.deleted_at IS NOT NULL))
	EXECUTE FUNCTION unionhall_wake('reminders');
CREATE TRIGGER reminder_retries AFTER UPDATE ON reminder_deliveries
	FOR EACH ROW WHEN (NEW.state = 'retry'
		AND (OLD.state <> 'retry' OR NEW.next_try < OLD.next_try))
	EXECUTE FUNCTION unionhall_wake('reminders');

CREATE TRIGGER polls_scheduled AFTER INSERT ON polls
	FOR EACH ROW WHEN (NEW.closes_at IS NOT NULL OR NEW.opens_at IS NOT NULL)
	EXECUTE FUNCTION unionhall_wake('polls');
CREATE TRIGGER polls_brought_forward AFTER UPDATE ON polls
	FOR EACH ROW WHEN ((NEW.closed_at IS NULL AND NEW.closes_at IS NOT NULL
			AND (OLD.closes_at IS NULL OR NEW.closes_at < OLD.closes_at))
		OR (NEW.result_state = 'retry'
			AND (OLD.result_state <> 'retry' OR NEW.result_next_try < OLD.result_next_try)))
	EXECUTE FUNCTION unionhall_wake('polls');
CREATE TRIGGER poll_events_added AFTER INSERT ON poll_events
	FOR EACH ROW WHEN (NEW.state = 'due')
	EXECUTE FUNCTION unionhall_wake('polls');
CREATE TRIGGER poll_events_brought_forward AFTER UPDATE ON poll_events
	FOR EACH ROW WHEN (NEW.state = 'due' AND (OLD.state <> 'due' OR NEW.due_at < OLD.due_at))
	EXECUTE FUNCTION unionhall_wake('polls');
CREATE TRIGGER poll_nudges_added AFTER INSERT ON poll_nudges
	FOR EACH ROW WHEN (NEW.claimed_at IS NULL)
	EXECUTE FUNCTION unionhall_wake('polls');
CREATE TRIGGER poll_nudges_brought_forward AFTER UPDATE ON poll_nudges
	FOR EACH ROW WHEN (NEW.claimed_at IS NULL AND NEW.due_at < OLD.due_at)
	EXECUTE FUNCTION unionhall_wake('polls');
