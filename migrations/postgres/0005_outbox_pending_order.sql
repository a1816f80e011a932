-- Workers take pending messages in id order: this index lets them stop after one batch
-- instead of sorting every pending message on each claim.
CREATE INDEX outbox_pending_by_id ON outbox(status, id);
