"""Crawls that run for months: intervals and cron, per-site locks, the revisit policy, the daemon."""
