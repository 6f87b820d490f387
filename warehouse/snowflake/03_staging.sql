-- Step 3 of 8: STAGING, typed and de-duplicated views over RAW: the latest version of each record per
-- tenant wins (NULLs last, then the later load, as the embedded engine's STAGING does). Views, so staging
-- never drifts from raw; the marts refresh (05_marts.sql, or `inda sync` per tenant) materialises.
USE DATABASE INDIGITAL_PROD;

CREATE OR REPLACE VIEW STAGING.STG_CONTACTS AS
SELECT
    tenant_id,
    payload:id::VARCHAR AS contact_id,
    payload:full_name::VARCHAR AS full_name,
    NULLIF(TRIM(payload:email::VARCHAR), '') AS email,
    NULLIF(TRIM(payload:phone::VARCHAR), '') AS phone,
    UPPER(payload:country::VARCHAR) AS country,
    payload:city::VARCHAR AS city,
    LOWER(payload:segment::VARCHAR) AS segment,
    LOWER(payload:lifecycle_stage::VARCHAR) AS lifecycle_stage,
    LOWER(payload:source_channel::VARCHAR) AS source_channel,
    COALESCE(payload:opted_in::BOOLEAN, FALSE) AS opted_in,
    payload:created_at::TIMESTAMP_NTZ AS created_at,
    COALESCE(payload:updated_at::TIMESTAMP_NTZ, payload:created_at::TIMESTAMP_NTZ) AS updated_at
FROM RAW.INDIGITAL_USERS
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1;

CREATE OR REPLACE VIEW STAGING.STG_CAMPAIGNS AS
SELECT
    tenant_id,
    payload:id::VARCHAR AS campaign_id,
    payload:name::VARCHAR AS campaign_name,
    LOWER(payload:channel::VARCHAR) AS channel,
    LOWER(payload:type::VARCHAR) AS campaign_type,
    LOWER(payload:status::VARCHAR) AS status,
    payload:started_at::TIMESTAMP_NTZ AS started_at,
    payload:ended_at::TIMESTAMP_NTZ AS ended_at,
    COALESCE(payload:budget::NUMBER(12, 2), 0) AS budget
FROM RAW.INDIGITAL_CAMPAIGNS
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1;

CREATE OR REPLACE VIEW STAGING.STG_MESSAGES AS
SELECT
    tenant_id,
    payload:id::VARCHAR AS message_id,
    payload:contact_id::VARCHAR AS contact_id,
    payload:campaign_id::VARCHAR AS campaign_id,
    LOWER(payload:channel::VARCHAR) AS channel,
    LOWER(payload:direction::VARCHAR) AS direction,
    LOWER(payload:status::VARCHAR) AS status,
    payload:template_name::VARCHAR AS template_name,
    payload:sent_at::TIMESTAMP_NTZ AS sent_at,
    payload:delivered_at::TIMESTAMP_NTZ AS delivered_at,
    payload:read_at::TIMESTAMP_NTZ AS read_at,
    COALESCE(payload:cost::NUMBER(10, 4), 0) AS cost
FROM RAW.INDIGITAL_MESSAGES
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1;

-- Activities are events and transactions together; transactions carry the amounts (refunds negative). The
-- API's event and transaction ids are activity ids already (distinct across both), so they are kept as they
-- are: the same ids as the embedded warehouse's (crates/ingest/src/transform.rs).
CREATE OR REPLACE VIEW STAGING.STG_ACTIVITIES AS
SELECT
    tenant_id,
    source_id AS activity_id,
    payload:contact_id::VARCHAR AS contact_id,
    payload:campaign_id::VARCHAR AS campaign_id,
    LOWER(payload:type::VARCHAR) AS activity_type,
    LOWER(payload:channel::VARCHAR) AS channel,
    payload:occurred_at::TIMESTAMP_NTZ AS occurred_at,
    CAST(NULL AS NUMBER(12, 2)) AS amount,
    CAST(NULL AS VARCHAR) AS currency
FROM RAW.INDIGITAL_EVENTS
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1
UNION ALL
SELECT
    tenant_id,
    source_id AS activity_id,
    payload:contact_id::VARCHAR AS contact_id,
    payload:campaign_id::VARCHAR AS campaign_id,
    COALESCE(
        LOWER(payload:type::VARCHAR),
        CASE WHEN payload:amount::NUMBER(12, 2) < 0 THEN 'refund' ELSE 'purchase' END
    ) AS activity_type,
    LOWER(payload:channel::VARCHAR) AS channel,
    payload:occurred_at::TIMESTAMP_NTZ AS occurred_at,
    payload:amount::NUMBER(12, 2) AS amount,
    UPPER(payload:currency::VARCHAR) AS currency
FROM RAW.INDIGITAL_TRANSACTIONS
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1;

-- One rate per currency and month; the record's id names both (`COP:2025-06-01`).
CREATE OR REPLACE VIEW STAGING.STG_FX_RATES AS
SELECT
    tenant_id,
    UPPER(payload:currency::VARCHAR) AS currency,
    payload:month::DATE AS month,
    payload:rate::NUMBER(18, 8) AS rate
FROM RAW.INDIGITAL_FX_RATES
QUALIFY ROW_NUMBER() OVER (PARTITION BY tenant_id, source_id ORDER BY source_updated_at DESC NULLS LAST, load_seq DESC NULLS LAST, loaded_at DESC) = 1;
