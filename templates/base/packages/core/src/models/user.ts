import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { db, type Database } from "../db/database.js";
import * as schema from "../db/schema.js";

const { users } = schema;

/** A row of the `users` table, as Drizzle reads it. */
export type User = typeof users.$inferSelect;

/** Data access for the `users` table, bound to a database (the project's by default). */
export function createUserModel(database: Database) {
  const orm = drizzle({ client: database.pool, schema });
  return {
    async get(id: string): Promise<User | null> {
      const [user] = await orm.select().from(users).where(eq(users.id, id));
      return user ?? null;
    },

    async create(input: { email: string }): Promise<User> {
      const [user] = await orm.insert(users).values({ email: input.email }).returning();
      return user!;
    },

    /** Records that the welcome email went out; false when the user does not exist. */
    async markWelcomeEmailSent(id: string): Promise<boolean> {
      const { rowCount } = await orm.update(users).set({ welcomeEmailSentAt: sql`now()` }).where(eq(users.id, id));
      return rowCount === 1;
    },
  };
}

export type UserModelApi = ReturnType<typeof createUserModel>;

export const UserModel: UserModelApi = createUserModel(db);
