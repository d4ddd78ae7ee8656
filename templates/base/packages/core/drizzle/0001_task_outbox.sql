CREATE TABLE "task_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"task_name" text NOT NULL,
	"data" jsonb NOT NULL,
	"run_at" timestamp with time zone,
	"priority" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "task_outbox_created_at_idx" ON "task_outbox" USING btree ("created_at");