ALTER TABLE "domains" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;