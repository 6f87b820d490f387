-- Step 8 of 8: 90 days of Time Travel on MARTS and ADMIN (architecture document, §7.1: "Snowflake data |
-- Time Travel | Continuous | 90 days"). For 90 days a dropped mart or ADMIN table comes back with UNDROP,
-- and a mart or a saved analysis row can be read as it was (SELECT … AT (TIMESTAMP => …) or
-- BEFORE (STATEMENT => …)) or restored from that point (CREATE TABLE … CLONE … AT (…)). After that, Fail-safe
-- keeps the data 7 more days, recoverable by Snowflake Support only. See docs/operations.md, "Snowflake:
-- time travel", for the recovery statements and the storage cost.
--
-- The retention is set on the schemas, not on each table. Every table in them that has no retention of its
-- own inherits it: those 04_admin.sql and 05_marts.sql created, and any table created there later. It is an
-- ALTER and not a property of 01_database.sql's CREATE SCHEMA IF NOT EXISTS, because that statement leaves
-- an existing schema unchanged. The ALTER also upgrades an account deployed before this step, and running it
-- again changes nothing.
--
-- RAW stays at the account default (1 day). It can be loaded again from the inDigital API (`inda sync`, the
-- n8n sync), and its tables are the largest and the most rewritten (each full refresh deletes the previous
-- snapshot), so 90 days of their history would cost the most storage for the least value. STAGING holds
-- only views, so there is no data to keep. Dropping the whole database ignores these settings: its schemas
-- and tables are then kept for the database's own retention (the account default), not 90 days.
--
-- Edition: more than 1 day of Time Travel needs Enterprise Edition or higher. Standard Edition allows 0 or
-- 1 day and refuses the two statements below. That is why they are a step of their own, deployed last: a
-- refusal leaves every earlier step in place, even with snowsql's `-o exit_on_error=true`. On Standard
-- Edition, skip this file or read its two errors as "still 1 day": MARTS and ADMIN then keep the default
-- 1 day, and the seed's 90 days needs an upgrade of the edition, not a change here.
--
-- The tests' Snowflake, fakesnow 0.12, refuses these statements (a parser error at
-- DATA_RETENTION_TIME_IN_DAYS), so its deploy applies only 02 to 05 (crates/ingest/tests/common/snowflake.rs;
-- crates/ingest/tests/ingest/time_travel.rs checks this file).
USE DATABASE INDIGITAL_PROD;

ALTER SCHEMA INDIGITAL_PROD.MARTS SET DATA_RETENTION_TIME_IN_DAYS = 90;
ALTER SCHEMA INDIGITAL_PROD.ADMIN SET DATA_RETENTION_TIME_IN_DAYS = 90;
