ALTER TABLE `domains` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `tags` text DEFAULT '[]' NOT NULL;