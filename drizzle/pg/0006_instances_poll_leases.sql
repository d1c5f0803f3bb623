CREATE TABLE "instances" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"leader" boolean DEFAULT false NOT NULL,
	"scheduler" boolean DEFAULT true NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "poll_leases" (
	"server_id" text PRIMARY KEY NOT NULL,
	"instance_id" text,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "poll_leases" ADD CONSTRAINT "poll_leases_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "poll_leases_instance_idx" ON "poll_leases" USING btree ("instance_id","expires_at");