-- Hand-written: decisions and the signed batches they came in are append-only. A decision is
-- never changed or removed (a revision is a new row), and the bytes a device signed stay as
-- received, so every stored decision's signature can be checked again later.
CREATE FUNCTION tinjau_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'raise_exception';
END
$$;
--> statement-breakpoint
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER push_batches_append_only BEFORE UPDATE OR DELETE ON push_batches FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER push_batches_no_truncate BEFORE TRUNCATE ON push_batches FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
