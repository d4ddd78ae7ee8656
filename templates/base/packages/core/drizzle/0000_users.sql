-- The users table. Projects generated before create-scaffold 0.2.0 already have it
-- (created without Drizzle, its email constraint named users_email_key): it is
-- adopted as it is, its data kept, and the constraint given Drizzle's name.
CREATE TABLE IF NOT EXISTS "users" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"welcome_email_sent_at" timestamp with time zone,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'users'::regclass AND conname = 'users_email_key') THEN
    ALTER TABLE "users" RENAME CONSTRAINT "users_email_key" TO "users_email_unique";
  END IF;
END $$;
