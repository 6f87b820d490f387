-- Step 2 of 8: RAW, as the n8n sync loads it from the inDigital API (architecture document, §2.3): one
-- row per API record, the record itself in VARIANT, plus the tenant and load bookkeeping. `inda sync`
-- loads these (crates/ingest/src/snowflake.rs): one multi-row INSERT per API page, in the same transaction
-- as the tenant's cursor in ADMIN.SYNC_STATE.
USE DATABASE INDIGITAL_PROD;

CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_USERS (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);

CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_EVENTS (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);

CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_TRANSACTIONS (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);

CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_CAMPAIGNS (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);

CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_MESSAGES (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);

-- Monthly exchange rates into each tenant's reporting currency (a full refresh, like campaigns).
CREATE TABLE IF NOT EXISTS RAW.INDIGITAL_FX_RATES (
    tenant_id VARCHAR(50) NOT NULL,
    source_id VARCHAR(100) NOT NULL,
    payload VARIANT NOT NULL,
    source_updated_at TIMESTAMP_NTZ,
    loaded_at TIMESTAMP_NTZ NOT NULL DEFAULT CURRENT_TIMESTAMP(),
    -- The sync's page sequence number (ADMIN.SYNC_STATE): orders loads within one second, and marks the
    -- pages of a full refresh so the previous snapshot can be deleted when it completes.
    load_seq NUMBER(38, 0)
);
