import { db as database } from "@repo/core";
import * as coreSchema from "@repo/core/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import * as appSchema from "./schema.js";

/**
 * The app's typed database client (Drizzle), on the project's connection pool: your
 * tables (src/db/schema.ts) and the core's (`users`), e.g.
 * `await db.select().from(reports).where(eq(reports.userId, id))`.
 */
export const db = drizzle({ client: database.pool, schema: { ...coreSchema, ...appSchema } });
