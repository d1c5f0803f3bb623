ALTER TABLE `server_shares` ADD `level` text DEFAULT 'view' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `auth_provider` text DEFAULT 'password' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `oidc_subject` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_oidc_subject_unique` ON `users` (`oidc_subject`);