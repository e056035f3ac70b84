import type Database from 'better-sqlite3'

/**
 * For upgrade tests: puts a profile's outbox back as migrations 0000–0011 made it, its seq an
 * AUTOINCREMENT key (which 0012 dropped), every row and seq kept. `rejections`: with 0004's
 * rejection columns and the partial indexes of 0004 and 0011; without, as 0000 left it.
 */
export function outboxBefore0012(raw: Database.Database, rejections: boolean): void {
  const more = rejections ? ', `rejected_at` text, `rejection` text' : ''
  raw.exec(`
    CREATE TABLE old_outbox (seq integer PRIMARY KEY AUTOINCREMENT NOT NULL, decision_id text NOT NULL, enqueued_at text NOT NULL,
      attempts integer DEFAULT 0 NOT NULL, last_error text, acked_at text${more},
      FOREIGN KEY (decision_id) REFERENCES decisions(id) ON UPDATE no action ON DELETE no action);
    INSERT INTO old_outbox SELECT seq, decision_id, enqueued_at, attempts, last_error, acked_at${rejections ? ', rejected_at, rejection' : ''} FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE old_outbox RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_decision_id_unique ON outbox (decision_id);
  `)
  if (rejections) {
    raw.exec(`
      CREATE INDEX outbox_unsent ON outbox (seq) WHERE "outbox"."acked_at" IS NULL AND "outbox"."rejected_at" IS NULL;
      CREATE INDEX outbox_rejected ON outbox (seq) WHERE "outbox"."rejected_at" IS NOT NULL;
    `)
  }
}
