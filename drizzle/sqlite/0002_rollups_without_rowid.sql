-- Storage (issue #6: < 2 MB per server for a year of history): metric_rollups is keyed and read by
-- (server_id, resolution, bucket_start) only, so a WITHOUT ROWID table stores each row once, in its
-- primary-key b-tree, instead of a rowid table plus a separate primary-key index. SQLite only:
-- PostgreSQL has no rowid and the TypeScript schema is unchanged. The table references servers and
-- nothing references it, so dropping it inside the migrator's transaction trips no foreign key.
CREATE TABLE `metric_rollups_new` (
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `metric_rollups_new` (`server_id`, `resolution`, `bucket_start`, `count`, `cpu_avg`, `cpu_max`, `memory_avg`, `memory_max`, `disk_avg`, `disk_max`, `load1_avg`, `load1_max`, `load5_avg`, `load15_avg`, `net_rx_avg`, `net_tx_avg`)
SELECT `server_id`, `resolution`, `bucket_start`, `count`, `cpu_avg`, `cpu_max`, `memory_avg`, `memory_max`, `disk_avg`, `disk_max`, `load1_avg`, `load1_max`, `load5_avg`, `load15_avg`, `net_rx_avg`, `net_tx_avg` FROM `metric_rollups`;
--> statement-breakpoint
DROP TABLE `metric_rollups`;
--> statement-breakpoint
ALTER TABLE `metric_rollups_new` RENAME TO `metric_rollups`;
