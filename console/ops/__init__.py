"""Admin services, free of Textual (DESIGN.md "Admin services"): backup and DR status (backups), the shared audit
log (audit), DR drill records (drills), write-mode actions (snapshot_action, write_mode), AWS clients (aws)."""
