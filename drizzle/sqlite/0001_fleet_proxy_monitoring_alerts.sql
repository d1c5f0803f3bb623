CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`threshold` real,
	`duration_seconds` integer DEFAULT 0 NOT NULL,
	`severity` text DEFAULT 'warning' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`server_id` text,
	`reminder_minutes` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`key` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`subject_name` text NOT NULL,
	`server_id` text,
	`domain_id` text,
	`state` text NOT NULL,
	`value` real,
	`pending_since` integer NOT NULL,
	`clear_since` integer,
	`started_at` integer,
	`resolved_at` integer,
	`last_notified_at` integer,
	`silenced` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alerts_key_state_idx` ON `alerts` (`key`,`state`);--> statement-breakpoint
CREATE INDEX `alerts_state_idx` ON `alerts` (`state`,`started_at`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`names` text NOT NULL,
	`issuer` text,
	`not_before` integer,
	`not_after` integer,
	`fingerprint` text,
	`certificate_pem` text,
	`chain_pem` text,
	`private_key_enc` text,
	`domain_id` text,
	`last_error` text,
	`renew_attempts` integer DEFAULT 0 NOT NULL,
	`renewed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deployed_files` (
	`server_id` text NOT NULL,
	`path` text NOT NULL,
	`sha256` text NOT NULL,
	`content` text NOT NULL,
	`deployed_at` integer NOT NULL,
	PRIMARY KEY(`server_id`, `path`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `dns_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`domain_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`found` text NOT NULL,
	`message` text,
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dns_checks_domain_at_idx` ON `dns_checks` (`domain_id`,`at`);--> statement-breakpoint
CREATE TABLE `domains` (
	`id` text PRIMARY KEY NOT NULL,
	`fqdn` text NOT NULL,
	`aliases` text NOT NULL,
	`server_id` text NOT NULL,
	`upstream_id` text NOT NULL,
	`template_id` text,
	`ssl_mode` text DEFAULT 'none' NOT NULL,
	`certificate_id` text,
	`force_https` integer DEFAULT false NOT NULL,
	`hsts` integer DEFAULT false NOT NULL,
	`http2` integer DEFAULT true NOT NULL,
	`websocket` integer DEFAULT false NOT NULL,
	`client_max_body_size` text DEFAULT '1m' NOT NULL,
	`custom_directives` text DEFAULT '' NOT NULL,
	`expected_nameservers` text NOT NULL,
	`nameserver_pattern` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`last_error` text,
	`ns_status` text DEFAULT 'unknown' NOT NULL,
	`ns_found` text,
	`ns_checked_at` integer,
	`deployed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`upstream_id`) REFERENCES `upstreams`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`certificate_id`) REFERENCES `certificates`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `domains_fqdn_unique` ON `domains` (`fqdn`);--> statement-breakpoint
CREATE INDEX `domains_server_idx` ON `domains` (`server_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`server_id` text,
	`user_id` text,
	`everyone` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_at_idx` ON `events` (`at`);--> statement-breakpoint
CREATE TABLE `metric_rollups` (
	`server_id` text NOT NULL,
	`resolution` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`count` integer NOT NULL,
	`cpu_avg` real,
	`cpu_max` real,
	`memory_avg` real,
	`memory_max` real,
	`disk_avg` real,
	`disk_max` real,
	`load1_avg` real,
	`load1_max` real,
	`load5_avg` real,
	`load15_avg` real,
	`net_rx_avg` real,
	`net_tx_avg` real,
	PRIMARY KEY(`server_id`, `resolution`, `bucket_start`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `metric_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`server_id` text NOT NULL,
	`at` integer NOT NULL,
	`cpu` real,
	`memory` real,
	`swap` real,
	`disk` real,
	`load1` real,
	`load5` real,
	`load15` real,
	`net_rx` real,
	`net_tx` real,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `metric_samples_server_at_idx` ON `metric_samples` (`server_id`,`at`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text,
	`channel` text DEFAULT 'telegram' NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_at` integer,
	`last_error` text,
	`message_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `notifications_status_next_idx` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `server_shares` (
	`server_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`server_id`, `user_id`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `server_shares_user_idx` ON `server_shares` (`user_id`);--> statement-breakpoint
CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`host` text NOT NULL,
	`ssh_port` integer DEFAULT 22 NOT NULL,
	`ssh_user` text DEFAULT 'root' NOT NULL,
	`auth_method` text NOT NULL,
	`password_enc` text,
	`private_key_enc` text,
	`passphrase_enc` text,
	`host_key_fingerprint` text,
	`offered_host_key_fingerprint` text,
	`glances_url` text,
	`glances_username` text,
	`glances_password_enc` text,
	`glances_api_version` integer,
	`monitoring_enabled` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'unknown' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`consecutive_successes` integer DEFAULT 0 NOT NULL,
	`last_seen_at` integer,
	`last_error` text,
	`last_sample` text,
	`os` text,
	`os_family` text,
	`nginx_status` text DEFAULT 'unknown' NOT NULL,
	`nginx_version` text,
	`nginx_paths` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `servers_name_unique` ON `servers` (`name`);--> statement-breakpoint
CREATE TABLE `silences` (
	`id` text PRIMARY KEY NOT NULL,
	`server_id` text,
	`domain_id` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `task_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`stream` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_logs_task_seq_idx` ON `task_logs` (`task_id`,`seq`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`server_id` text,
	`domain_id` text,
	`created_by` text,
	`input` text,
	`result` text,
	`error` text,
	`claimed_by` text,
	`heartbeat_at` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_server_idx` ON `tasks` (`server_id`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`builtin` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_name_unique` ON `templates` (`name`);--> statement-breakpoint
CREATE TABLE `upstream_targets` (
	`id` text PRIMARY KEY NOT NULL,
	`upstream_id` text NOT NULL,
	`position` integer NOT NULL,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`weight` integer DEFAULT 1 NOT NULL,
	`backup` integer DEFAULT false NOT NULL,
	`max_fails` integer DEFAULT 1 NOT NULL,
	`fail_timeout_seconds` integer DEFAULT 10 NOT NULL,
	`health_status` text DEFAULT 'unknown' NOT NULL,
	`health_checked_at` integer,
	`health_error` text,
	FOREIGN KEY (`upstream_id`) REFERENCES `upstreams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `upstream_targets_upstream_idx` ON `upstream_targets` (`upstream_id`);--> statement-breakpoint
CREATE TABLE `upstreams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`method` text DEFAULT 'round_robin' NOT NULL,
	`keepalive` integer,
	`health_check` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `upstreams_name_unique` ON `upstreams` (`name`);