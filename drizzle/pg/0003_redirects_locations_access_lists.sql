CREATE TABLE "access_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"satisfy" text DEFAULT 'all' NOT NULL,
	"users" jsonb NOT NULL,
	"rules" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "access_lists_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "domains" ALTER COLUMN "upstream_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "domains" ADD COLUMN "redirect" jsonb;--> statement-breakpoint
ALTER TABLE "domains" ADD COLUMN "access_list_id" text;--> statement-breakpoint
ALTER TABLE "domains" ADD COLUMN "locations" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_access_list_id_access_lists_id_fk" FOREIGN KEY ("access_list_id") REFERENCES "public"."access_lists"("id") ON DELETE restrict ON UPDATE no action;