CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`leader` integer DEFAULT false NOT NULL,
	`scheduler` integer DEFAULT true NOT NULL,
	`stopped_at` integer
);
--> statement-breakpoint
CREATE TABLE `poll_leases` (
	`server_id` text PRIMARY KEY NOT NULL,
	`instance_id` text,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `poll_leases_instance_idx` ON `poll_leases` (`instance_id`,`expires_at`);