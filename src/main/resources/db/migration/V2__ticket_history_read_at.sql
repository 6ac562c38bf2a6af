-- When the history behind a ticket's latest decision was read (database clock). A delivery received
-- before that moment announces nothing the decision did not already see, so it need not be evaluated.
ALTER TABLE ticket ADD COLUMN history_read_at TIMESTAMPTZ;
-- Deliveries are stamped with the database clock too, so instances with different clocks compare safely.
ALTER TABLE delivery ALTER COLUMN received_at SET DEFAULT now();
-- Finding the pending deliveries about one ticket (skipping those an evaluation already covered).
CREATE INDEX delivery_pending_ticket ON delivery (project_id, issue_iid) WHERE status = 'PENDING';
