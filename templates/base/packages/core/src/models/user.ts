import { db, type Database } from "../db/database.js";

export interface User {
  id: string;
  email: string;
  createdAt: Date;
  /** When the welcome email task last sent to this user; null if never. */
  welcomeEmailSentAt: Date | null;
}

interface UserRow {
  id: string;
  email: string;
  created_at: Date;
  welcome_email_sent_at: Date | null;
}

const COLUMNS = "id, email, created_at, welcome_email_sent_at";

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, createdAt: row.created_at, welcomeEmailSentAt: row.welcome_email_sent_at };
}

/** Data access for the `users` table, bound to a database (the project's by default). */
export function createUserModel(database: Database) {
  return {
    async get(id: string): Promise<User | null> {
      const { rows } = await database.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : null;
    },

    async create(input: { email: string }): Promise<User> {
      const { rows } = await database.query<UserRow>(`INSERT INTO users (email) VALUES ($1) RETURNING ${COLUMNS}`, [input.email]);
      return toUser(rows[0]!);
    },

    /** Records that the welcome email went out; false when the user does not exist. */
    async markWelcomeEmailSent(id: string): Promise<boolean> {
      const { rowCount } = await database.query("UPDATE users SET welcome_email_sent_at = now() WHERE id = $1", [id]);
      return rowCount === 1;
    },
  };
}

export type UserModelApi = ReturnType<typeof createUserModel>;

export const UserModel: UserModelApi = createUserModel(db);
