// The core's tables, as Drizzle schema. The app owns its own (packages/app/src/db/schema.ts)
// and may refer to these, e.g. `userId: text().references(() => users.id)`.
// Changed only with create-scaffold: its migrations are packages/core/drizzle/.
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
  email: text("email").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** When the welcome email task last sent to this user; null if never. */
  welcomeEmailSentAt: timestamp("welcome_email_sent_at", { withTimezone: true }),
});

/**
 * Tasks queued inside a database transaction (`task.with({ transaction: tx }).enqueue(...)`),
 * waiting for the worker to hand them to the queue once the transaction has committed:
 * a row exists exactly when its transaction did. Empty in projects without the job queue.
 */
export const taskOutbox = pgTable(
  "task_outbox",
  {
    /** The task's id, then its job's id in the queue. */
    id: text("id").primaryKey(),
    /** The queue it goes to (TASKS_QUEUE): workers of other queues sharing the database leave it alone. Null: any (written before 0.4.0). */
    queue: text("queue"),
    taskName: text("task_name").notNull(),
    /** The task's arguments, as the queue will carry them. */
    data: jsonb("data").notNull(),
    /** No earlier than this (null: at once), and its priority (null: none), as `with()` gave them. */
    runAt: timestamp("run_at", { withTimezone: true }),
    priority: integer("priority"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("task_outbox_created_at_idx").on(table.createdAt)],
);
