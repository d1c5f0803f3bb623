CREATE TABLE `access_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`satisfy` text DEFAULT 'all' NOT NULL,
	`users` text NOT NULL,
	`rules` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_lists_name_unique` ON `access_lists` (`name`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_domains` (
	`id` text PRIMARY KEY NOT NULL,
	`fqdn` text NOT NULL,
	`aliases` text NOT NULL,
	`server_id` text NOT NULL,
	`upstream_id` text,
	`template_id` text,
	`redirect` text,
	`access_list_id` text,
	`locations` text DEFAULT '[]' NOT NULL,
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
	FOREIGN KEY (`access_list_id`) REFERENCES `access_lists`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`certificate_id`) REFERENCES `certificates`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_domains`("id", "fqdn", "aliases", "server_id", "upstream_id", "template_id", "ssl_mode", "certificate_id", "force_https", "hsts", "http2", "websocket", "client_max_body_size", "custom_directives", "expected_nameservers", "nameserver_pattern", "status", "last_error", "ns_status", "ns_found", "ns_checked_at", "deployed_at", "created_at", "updated_at") SELECT "id", "fqdn", "aliases", "server_id", "upstream_id", "template_id", "ssl_mode", "certificate_id", "force_https", "hsts", "http2", "websocket", "client_max_body_size", "custom_directives", "expected_nameservers", "nameserver_pattern", "status", "last_error", "ns_status", "ns_found", "ns_checked_at", "deployed_at", "created_at", "updated_at" FROM `domains`;--> statement-breakpoint
DROP TABLE `domains`;--> statement-breakpoint
ALTER TABLE `__new_domains` RENAME TO `domains`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `domains_fqdn_unique` ON `domains` (`fqdn`);--> statement-breakpoint
CREATE INDEX `domains_server_idx` ON `domains` (`server_id`);