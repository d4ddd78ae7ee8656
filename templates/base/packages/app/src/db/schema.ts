// Your tables, as Drizzle schema (https://orm.drizzle.team/docs/sql-schema-declaration).
// After a change, `pnpm db:generate --name <what-changed>` writes its SQL migration to
// packages/app/drizzle/: review it and commit it with the change. The server and the
// worker apply pending migrations when they start (`pnpm db:migrate` does it by hand).
//
// For example, a table of reports, one user each (the core's `users`):
//
//   import { users } from "@repo/core/schema";
//   import { integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
//
//   export const reports = pgTable("reports", {
//     id: serial("id").primaryKey(),
//     userId: text("user_id").notNull().references(() => users.id),
//     rows: integer("rows").notNull(),
//     createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
//   });
//
// Then query it through the typed client, `db` from ./client.ts (see packages/core/README.md).
export {};
