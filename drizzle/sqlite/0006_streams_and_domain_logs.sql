CREATE TABLE `streams` (
	`id` text PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`protocol` text NOT NULL,
	`listen_port` integer NOT NULL,
	`upstream_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`last_error` text,
	`deployed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`upstream_id`) REFERENCES `upstreams`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `streams_server_port_idx` ON `streams` (`server_id`,`protocol`,`listen_port`);--> statement-breakpoint
ALTER TABLE `domains` ADD `access_log` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `domains` ADD `error_log` integer DEFAULT true NOT NULL;