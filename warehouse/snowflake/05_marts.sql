-- Step 5 of 8: MARTS, the only schema analysts and the AI query (data-model contract, shared with the
-- embedded demo's Parquet schemas: same tables, columns, order and types), and their refresh from STAGING.
USE DATABASE INDIGITAL_PROD;

CREATE TABLE IF NOT EXISTS MARTS.DIM_CONTACTS (
    tenant_id VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    email VARCHAR,
    phone VARCHAR,
    country VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    lifecycle_stage VARCHAR NOT NULL,
    source_channel VARCHAR NOT NULL,
    opted_in BOOLEAN NOT NULL,
    created_at TIMESTAMP_NTZ NOT NULL,
    updated_at TIMESTAMP_NTZ NOT NULL
) CLUSTER BY (tenant_id);

CREATE TABLE IF NOT EXISTS MARTS.DIM_CAMPAIGNS (
    tenant_id VARCHAR NOT NULL,
    campaign_id VARCHAR NOT NULL,
    campaign_name VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    campaign_type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    started_at TIMESTAMP_NTZ,
    ended_at TIMESTAMP_NTZ,
    budget NUMBER(12, 2) NOT NULL
) CLUSTER BY (tenant_id);

CREATE TABLE IF NOT EXISTS MARTS.FCT_MESSAGES (
    tenant_id VARCHAR NOT NULL,
    message_id VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    campaign_id VARCHAR,
    channel VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    template_name VARCHAR,
    sent_at TIMESTAMP_NTZ NOT NULL,
    delivered_at TIMESTAMP_NTZ,
    read_at TIMESTAMP_NTZ,
    cost NUMBER(10, 4) NOT NULL
) CLUSTER BY (tenant_id, TO_DATE(sent_at));

CREATE TABLE IF NOT EXISTS MARTS.FCT_ACTIVITIES (
    tenant_id VARCHAR NOT NULL,
    activity_id VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    campaign_id VARCHAR,
    activity_type VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    occurred_at TIMESTAMP_NTZ NOT NULL,
    amount NUMBER(12, 2),
    currency VARCHAR
) CLUSTER BY (tenant_id, TO_DATE(occurred_at));

-- Units of the tenant's reporting currency (ADMIN.TENANTS.config:default_currency) for one unit of
-- `currency`, per calendar month (`month` is its first day); 1 for the reporting currency itself.
CREATE TABLE IF NOT EXISTS MARTS.FX_RATES (
    tenant_id VARCHAR NOT NULL,
    currency VARCHAR NOT NULL,
    month DATE NOT NULL,
    rate NUMBER(18, 8) NOT NULL
) CLUSTER BY (tenant_id);

-- The refresh: an upsert per mart from its staging view, keyed by tenant and id, so a re-run changes
-- nothing and a late correction in RAW replaces the row. The task ADMIN.REFRESH_MARTS (below) runs it
-- hourly, after the n8n sync's hourly load.
CREATE OR REPLACE PROCEDURE ADMIN.SP_REFRESH_MARTS()
RETURNS VARCHAR
LANGUAGE SQL
EXECUTE AS OWNER
AS
$$
BEGIN
    MERGE INTO MARTS.DIM_CONTACTS t USING STAGING.STG_CONTACTS s
        ON t.tenant_id = s.tenant_id AND t.contact_id = s.contact_id
    WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET
        full_name = s.full_name, email = s.email, phone = s.phone, country = s.country, city = s.city,
        segment = s.segment, lifecycle_stage = s.lifecycle_stage, source_channel = s.source_channel,
        opted_in = s.opted_in, updated_at = s.updated_at
    WHEN NOT MATCHED THEN INSERT VALUES (
        s.tenant_id, s.contact_id, s.full_name, s.email, s.phone, s.country, s.city, s.segment,
        s.lifecycle_stage, s.source_channel, s.opted_in, s.created_at, s.updated_at);

    MERGE INTO MARTS.DIM_CAMPAIGNS t USING STAGING.STG_CAMPAIGNS s
        ON t.tenant_id = s.tenant_id AND t.campaign_id = s.campaign_id
    WHEN MATCHED THEN UPDATE SET
        campaign_name = s.campaign_name, channel = s.channel, campaign_type = s.campaign_type,
        status = s.status, started_at = s.started_at, ended_at = s.ended_at, budget = s.budget
    WHEN NOT MATCHED THEN INSERT VALUES (
        s.tenant_id, s.campaign_id, s.campaign_name, s.channel, s.campaign_type, s.status, s.started_at,
        s.ended_at, s.budget);

    MERGE INTO MARTS.FCT_MESSAGES t USING STAGING.STG_MESSAGES s
        ON t.tenant_id = s.tenant_id AND t.message_id = s.message_id
    WHEN MATCHED THEN UPDATE SET
        status = s.status, delivered_at = s.delivered_at, read_at = s.read_at, cost = s.cost
    WHEN NOT MATCHED THEN INSERT VALUES (
        s.tenant_id, s.message_id, s.contact_id, s.campaign_id, s.channel, s.direction, s.status,
        s.template_name, s.sent_at, s.delivered_at, s.read_at, s.cost);

    MERGE INTO MARTS.FCT_ACTIVITIES t USING STAGING.STG_ACTIVITIES s
        ON t.tenant_id = s.tenant_id AND t.activity_id = s.activity_id
    WHEN MATCHED THEN UPDATE SET amount = s.amount, currency = s.currency
    WHEN NOT MATCHED THEN INSERT VALUES (
        s.tenant_id, s.activity_id, s.contact_id, s.campaign_id, s.activity_type, s.channel, s.occurred_at,
        s.amount, s.currency);

    MERGE INTO MARTS.FX_RATES t USING STAGING.STG_FX_RATES s
        ON t.tenant_id = s.tenant_id AND t.currency = s.currency AND t.month = s.month
    WHEN MATCHED THEN UPDATE SET rate = s.rate
    WHEN NOT MATCHED THEN INSERT VALUES (s.tenant_id, s.currency, s.month, s.rate);

    RETURN 'marts refreshed';
END;
$$;

CREATE OR REPLACE TASK ADMIN.REFRESH_MARTS
    WAREHOUSE = ANALYTICS_WH
    SCHEDULE = 'USING CRON 5 * * * * UTC'
AS
CALL ADMIN.SP_REFRESH_MARTS();

ALTER TASK ADMIN.REFRESH_MARTS RESUME;
