CREATE TABLE "alert_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"threshold" double precision,
	"duration_seconds" integer DEFAULT 0 NOT NULL,
	"severity" text DEFAULT 'warning' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"server_id" text,
	"reminder_minutes" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"rule_id" text,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"key" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"subject_name" text NOT NULL,
	"server_id" text,
	"domain_id" text,
	"state" text NOT NULL,
	"value" double precision,
	"pending_since" timestamp with time zone NOT NULL,
	"clear_since" timestamp with time zone,
	"started_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"last_notified_at" timestamp with time zone,
	"silenced" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"names" jsonb NOT NULL,
	"issuer" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"fingerprint" text,
	"certificate_pem" text,
	"chain_pem" text,
	"private_key_enc" text,
	"domain_id" text,
	"last_error" text,
	"renew_attempts" integer DEFAULT 0 NOT NULL,
	"renewed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployed_files" (
	"server_id" text NOT NULL,
	"path" text NOT NULL,
	"sha256" text NOT NULL,
	"content" text NOT NULL,
	"deployed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "deployed_files_server_id_path_pk" PRIMARY KEY("server_id","path")
);
--> statement-breakpoint
CREATE TABLE "dns_checks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dns_checks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"domain_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"found" jsonb NOT NULL,
	"message" text
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"id" text PRIMARY KEY NOT NULL,
	"fqdn" text NOT NULL,
	"aliases" jsonb NOT NULL,
	"server_id" text NOT NULL,
	"upstream_id" text NOT NULL,
	"template_id" text,
	"ssl_mode" text DEFAULT 'none' NOT NULL,
	"certificate_id" text,
	"force_https" boolean DEFAULT false NOT NULL,
	"hsts" boolean DEFAULT false NOT NULL,
	"http2" boolean DEFAULT true NOT NULL,
	"websocket" boolean DEFAULT false NOT NULL,
	"client_max_body_size" text DEFAULT '1m' NOT NULL,
	"custom_directives" text DEFAULT '' NOT NULL,
	"expected_nameservers" jsonb NOT NULL,
	"nameserver_pattern" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"ns_status" text DEFAULT 'unknown' NOT NULL,
	"ns_found" jsonb,
	"ns_checked_at" timestamp with time zone,
	"deployed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "domains_fqdn_unique" UNIQUE("fqdn")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"server_id" text,
	"user_id" text,
	"everyone" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_rollups" (
	"server_id" text NOT NULL,
	"resolution" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"cpu_avg" double precision,
	"cpu_max" double precision,
	"memory_avg" double precision,
	"memory_max" double precision,
	"disk_avg" double precision,
	"disk_max" double precision,
	"load1_avg" double precision,
	"load1_max" double precision,
	"load5_avg" double precision,
	"load15_avg" double precision,
	"net_rx_avg" double precision,
	"net_tx_avg" double precision,
	CONSTRAINT "metric_rollups_server_id_resolution_bucket_start_pk" PRIMARY KEY("server_id","resolution","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "metric_samples" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "metric_samples_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"server_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"cpu" double precision,
	"memory" double precision,
	"swap" double precision,
	"disk" double precision,
	"load1" double precision,
	"load5" double precision,
	"load15" double precision,
	"net_rx" double precision,
	"net_tx" double precision
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"alert_id" text,
	"channel" text DEFAULT 'telegram' NOT NULL,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone,
	"last_error" text,
	"message_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "server_shares" (
	"server_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "server_shares_server_id_user_id_pk" PRIMARY KEY("server_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "servers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"ssh_port" integer DEFAULT 22 NOT NULL,
	"ssh_user" text DEFAULT 'root' NOT NULL,
	"auth_method" text NOT NULL,
	"password_enc" text,
	"private_key_enc" text,
	"passphrase_enc" text,
	"host_key_fingerprint" text,
	"offered_host_key_fingerprint" text,
	"glances_url" text,
	"glances_username" text,
	"glances_password_enc" text,
	"glances_api_version" integer,
	"monitoring_enabled" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'unknown' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"consecutive_successes" integer DEFAULT 0 NOT NULL,
	"last_seen_at" timestamp with time zone,
	"last_error" text,
	"last_sample" jsonb,
	"os" text,
	"os_family" text,
	"nginx_status" text DEFAULT 'unknown' NOT NULL,
	"nginx_version" text,
	"nginx_paths" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "servers_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" text PRIMARY KEY NOT NULL,
	"server_id" text,
	"domain_id" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "task_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task_id" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"stream" text NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"server_id" text,
	"domain_id" text,
	"created_by" text,
	"input" jsonb,
	"result" jsonb,
	"error" text,
	"claimed_by" text,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "templates_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "upstream_targets" (
	"id" text PRIMARY KEY NOT NULL,
	"upstream_id" text NOT NULL,
	"position" integer NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"weight" integer DEFAULT 1 NOT NULL,
	"backup" boolean DEFAULT false NOT NULL,
	"max_fails" integer DEFAULT 1 NOT NULL,
	"fail_timeout_seconds" integer DEFAULT 10 NOT NULL,
	"health_status" text DEFAULT 'unknown' NOT NULL,
	"health_checked_at" timestamp with time zone,
	"health_error" text
);
--> statement-breakpoint
CREATE TABLE "upstreams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"method" text DEFAULT 'round_robin' NOT NULL,
	"keepalive" integer,
	"health_check" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "upstreams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_rule_id_alert_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."alert_rules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployed_files" ADD CONSTRAINT "deployed_files_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dns_checks" ADD CONSTRAINT "dns_checks_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_upstream_id_upstreams_id_fk" FOREIGN KEY ("upstream_id") REFERENCES "public"."upstreams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD CONSTRAINT "metric_rollups_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_shares" ADD CONSTRAINT "server_shares_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_shares" ADD CONSTRAINT "server_shares_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_logs" ADD CONSTRAINT "task_logs_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upstream_targets" ADD CONSTRAINT "upstream_targets_upstream_id_upstreams_id_fk" FOREIGN KEY ("upstream_id") REFERENCES "public"."upstreams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_key_state_idx" ON "alerts" USING btree ("key","state");--> statement-breakpoint
CREATE INDEX "alerts_state_idx" ON "alerts" USING btree ("state","started_at");--> statement-breakpoint
CREATE INDEX "dns_checks_domain_at_idx" ON "dns_checks" USING btree ("domain_id","at");--> statement-breakpoint
CREATE INDEX "domains_server_idx" ON "domains" USING btree ("server_id");--> statement-breakpoint
CREATE INDEX "events_at_idx" ON "events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "metric_samples_server_at_idx" ON "metric_samples" USING btree ("server_id","at");--> statement-breakpoint
CREATE INDEX "notifications_status_next_idx" ON "notifications" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "server_shares_user_idx" ON "server_shares" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_logs_task_seq_idx" ON "task_logs" USING btree ("task_id","seq");--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_server_idx" ON "tasks" USING btree ("server_id");--> statement-breakpoint
CREATE INDEX "upstream_targets_upstream_idx" ON "upstream_targets" USING btree ("upstream_id");