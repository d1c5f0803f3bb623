CREATE TABLE "streams" (
	"id" text PRIMARY KEY NOT NULL,
	"server_id" text NOT NULL,
	"protocol" text NOT NULL,
	"listen_port" integer NOT NULL,
	"upstream_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"deployed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "domains" ADD COLUMN "access_log" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "domains" ADD COLUMN "error_log" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "streams" ADD CONSTRAINT "streams_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams" ADD CONSTRAINT "streams_upstream_id_upstreams_id_fk" FOREIGN KEY ("upstream_id") REFERENCES "public"."upstreams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "streams_server_port_idx" ON "streams" USING btree ("server_id","protocol","listen_port");