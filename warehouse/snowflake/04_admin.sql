-- Step 4 of 8: ADMIN, the platform's bookkeeping (architecture document, §2.2), and the access mapping
-- the row access policy reads (06_security.sql).
USE DATABASE INDIGITAL_PROD;

CREATE TABLE IF NOT EXISTS ADMIN.PARTNERS (
    partner_id VARCHAR(50) PRIMARY KEY,
    partner_name VARCHAR(255) NOT NULL,
    branding VARIANT,
    created_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP()
);

CREATE TABLE IF NOT EXISTS ADMIN.TENANTS (
    tenant_id VARCHAR(50) PRIMARY KEY,
    tenant_name VARCHAR(255) NOT NULL,
    partner_id VARCHAR(50) NOT NULL,
    source_tenant_id VARCHAR(100),
    is_active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    config VARIANT,
    CONSTRAINT fk_partner FOREIGN KEY (partner_id) REFERENCES ADMIN.PARTNERS (partner_id)
);

-- Who may read which tenant's rows: a Snowflake role or user (principal) and a tenant. See 06_security.sql
-- for why the policy reads this table instead of a session context.
CREATE TABLE IF NOT EXISTS ADMIN.TENANT_ACCESS (
    principal_type VARCHAR(10) NOT NULL,
    principal VARCHAR(255) NOT NULL,
    tenant_id VARCHAR(50) NOT NULL,
    granted_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    granted_by VARCHAR(255) DEFAULT CURRENT_USER(),
    CONSTRAINT pk_tenant_access PRIMARY KEY (principal_type, principal, tenant_id),
    CONSTRAINT fk_access_tenant FOREIGN KEY (tenant_id) REFERENCES ADMIN.TENANTS (tenant_id)
);

-- Partner administrators read every tenant of their partner.
CREATE TABLE IF NOT EXISTS ADMIN.PARTNER_ACCESS (
    role_name VARCHAR(255) NOT NULL,
    partner_id VARCHAR(50) NOT NULL,
    CONSTRAINT pk_partner_access PRIMARY KEY (role_name, partner_id),
    CONSTRAINT fk_access_partner FOREIGN KEY (partner_id) REFERENCES ADMIN.PARTNERS (partner_id)
);

CREATE TABLE IF NOT EXISTS ADMIN.SAVED_ANALYSES (
    analysis_id VARCHAR(50) PRIMARY KEY DEFAULT UUID_STRING(),
    tenant_id VARCHAR(50) NOT NULL,
    created_by VARCHAR(100) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    natural_language_query VARCHAR(2000),
    generated_sql TEXT NOT NULL,
    chart_type VARCHAR(50),
    chart_config VARIANT,
    refresh_schedule VARCHAR(50),
    last_refresh_at TIMESTAMP_NTZ,
    next_refresh_at TIMESTAMP_NTZ,
    is_active BOOLEAN DEFAULT TRUE,
    latest_result_url VARCHAR(500),
    created_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    updated_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    CONSTRAINT fk_tenant FOREIGN KEY (tenant_id) REFERENCES ADMIN.TENANTS (tenant_id)
);

CREATE TABLE IF NOT EXISTS ADMIN.ANALYSIS_EXECUTIONS (
    execution_id VARCHAR(50) PRIMARY KEY DEFAULT UUID_STRING(),
    analysis_id VARCHAR(50) NOT NULL,
    tenant_id VARCHAR(50) NOT NULL,
    executed_by VARCHAR(100),
    started_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    finished_at TIMESTAMP_NTZ,
    status VARCHAR(20),
    row_count NUMBER(38, 0),
    error_message VARCHAR(2000),
    query_id VARCHAR(100),
    CONSTRAINT fk_execution_analysis FOREIGN KEY (analysis_id) REFERENCES ADMIN.SAVED_ANALYSES (analysis_id)
);

CREATE TABLE IF NOT EXISTS ADMIN.SYNC_STATE (
    tenant_id VARCHAR(50) NOT NULL,
    entity VARCHAR(50) NOT NULL,
    last_synced_at TIMESTAMP_NTZ,
    cursor_value VARCHAR(500),
    status VARCHAR(20),
    error_message VARCHAR(2000),
    updated_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    CONSTRAINT pk_sync_state PRIMARY KEY (tenant_id, entity)
);

-- `inda sync`'s state (crates/ingest/src/snowflake.rs), append-only: each committed page adds the tenant's
-- whole state (per entity the cursor, the watermark and the run in progress; the next page number; the
-- marts to rebuild) and the latest version is the state. Appending is the commit point, one statement, so
-- no transaction spans two requests; SYNC_STATE above is the readable summary it publishes after a run.
CREATE TABLE IF NOT EXISTS ADMIN.SYNC_MANIFEST (
    tenant_id VARCHAR(50) NOT NULL,
    version NUMBER(38, 0) NOT NULL,
    state VARIANT NOT NULL,
    committed_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    CONSTRAINT pk_sync_manifest PRIMARY KEY (tenant_id, version)
);

CREATE TABLE IF NOT EXISTS ADMIN.AUDIT_LOG (
    log_id VARCHAR(50) PRIMARY KEY DEFAULT UUID_STRING(),
    tenant_id VARCHAR(50),
    user_id VARCHAR(100),
    action VARCHAR(50),
    details VARIANT,
    ip_address VARCHAR(50),
    user_agent VARCHAR(500),
    created_at TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP()
);

-- The app's admin mirror (crates/app/src/mirror.rs): analyses are merged both ways, executions and audit
-- entries are append-only and inserted once by id (hence SELECT). 06_security.sql puts the tenant row
-- access policy on all three, so these reads stay in the caller's tenant.
GRANT SELECT, INSERT, UPDATE ON TABLE ADMIN.SAVED_ANALYSES TO ROLE INDA_APP;
GRANT SELECT, INSERT ON TABLE ADMIN.ANALYSIS_EXECUTIONS TO ROLE INDA_APP;
GRANT SELECT, INSERT ON TABLE ADMIN.AUDIT_LOG TO ROLE INDA_APP;

INSERT INTO ADMIN.PARTNERS (partner_id, partner_name)
SELECT 'indigital', 'inDigital' WHERE NOT EXISTS (SELECT 1 FROM ADMIN.PARTNERS WHERE partner_id = 'indigital');
INSERT INTO ADMIN.PARTNER_ACCESS (role_name, partner_id)
SELECT 'PARTNER_INDIGITAL', 'indigital'
WHERE NOT EXISTS (SELECT 1 FROM ADMIN.PARTNER_ACCESS WHERE role_name = 'PARTNER_INDIGITAL');
