// The core's tables, as Drizzle schema. The app owns its own (packages/app/src/db/schema.ts)
// and may refer to these, e.g. `userId: text().references(() => users.id)`.
// Changed only with create-scaffold: its migrations are packages/core/drizzle/.
import { sql } from "drizzle-orm";
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
  email: text("email").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** When the welcome email task last sent to this user; null if never. */
  welcomeEmailSentAt: timestamp("welcome_email_sent_at", { withTimezone: true }),
});
