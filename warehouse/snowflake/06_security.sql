-- Step 6 of 7: the row access policy on every mart, Snowflake's own wall behind the app's guard.
--
-- Why a mapping table and not a session context. The architecture document's policy reads
-- CURRENT_SESSION_CONTEXT('tenant_id'), which Snowflake does not have. The nearest things, session
-- variables (SET tenant_id = ...) and the query tag, are set by the client itself: a policy trusting them
-- would let anyone holding a connection read any tenant by setting a different value, so the second wall
-- would stand exactly as high as the first. What the client cannot choose is who it authenticated as:
-- CURRENT_USER() and the roles in its session. The policy therefore looks the row's tenant up in
-- ADMIN.TENANT_ACCESS by user or by role (IS_ROLE_IN_SESSION also honours roles granted to the session's
-- role), and in ADMIN.PARTNER_ACCESS for partner administrators. Granting or revoking a tenant is a row in
-- a table, not a policy change, and Snowflake caches the lookups for the query. The app's sessions run
-- with the profile's role; deployments give each tenant's analysts (or each tenant's service user) their
-- own role or user, so a token for one tenant can never open a Snowflake session that reads another.
USE DATABASE INDIGITAL_PROD;

CREATE OR REPLACE ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY
AS (row_tenant_id VARCHAR) RETURNS BOOLEAN ->
    IS_ROLE_IN_SESSION('PLATFORM_ADMIN')
    OR EXISTS (
        SELECT 1 FROM ADMIN.TENANT_ACCESS a
        WHERE a.tenant_id = row_tenant_id
          AND ((a.principal_type = 'USER' AND a.principal = CURRENT_USER())
            OR (a.principal_type = 'ROLE' AND IS_ROLE_IN_SESSION(a.principal)))
    )
    OR EXISTS (
        SELECT 1 FROM ADMIN.TENANTS t
        JOIN ADMIN.PARTNER_ACCESS p ON p.partner_id = t.partner_id
        WHERE t.tenant_id = row_tenant_id AND IS_ROLE_IN_SESSION(p.role_name)
    );

ALTER TABLE MARTS.DIM_CONTACTS ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE MARTS.DIM_CAMPAIGNS ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE MARTS.FCT_MESSAGES ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE MARTS.FCT_ACTIVITIES ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE MARTS.FX_RATES ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);

-- The app's admin mirror reads the saved analyses, executions and audit entries it writes (to merge
-- another device's changes and to insert each entry once): the same wall keeps those reads in the tenant.
ALTER TABLE ADMIN.SAVED_ANALYSES ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE ADMIN.ANALYSIS_EXECUTIONS ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);
ALTER TABLE ADMIN.AUDIT_LOG ADD ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY ON (tenant_id);

-- The app reads its tenant's reporting currency (config:default_currency) from ADMIN.TENANTS. The same
-- principals see the same tenants' rows there; a policy of its own, because TENANT_DATA_POLICY reads
-- ADMIN.TENANTS itself (the partner's tenants), which therefore takes the row's partner as an argument.
CREATE OR REPLACE ROW ACCESS POLICY ADMIN.TENANT_CONFIG_POLICY
AS (row_tenant_id VARCHAR, row_partner_id VARCHAR) RETURNS BOOLEAN ->
    IS_ROLE_IN_SESSION('PLATFORM_ADMIN')
    OR EXISTS (
        SELECT 1 FROM ADMIN.TENANT_ACCESS a
        WHERE a.tenant_id = row_tenant_id
          AND ((a.principal_type = 'USER' AND a.principal = CURRENT_USER())
            OR (a.principal_type = 'ROLE' AND IS_ROLE_IN_SESSION(a.principal)))
    )
    OR EXISTS (
        SELECT 1 FROM ADMIN.PARTNER_ACCESS p
        WHERE p.partner_id = row_partner_id AND IS_ROLE_IN_SESSION(p.role_name)
    );

ALTER TABLE ADMIN.TENANTS ADD ROW ACCESS POLICY ADMIN.TENANT_CONFIG_POLICY ON (tenant_id, partner_id);
-- Granted only once the policy is on, so no deployment step shows every tenant.
GRANT SELECT ON TABLE ADMIN.TENANTS TO ROLE INDA_APP;

-- One tenant role per demo tenant, mapped; production adds a row per tenant as it is onboarded.
INSERT INTO ADMIN.TENANT_ACCESS (principal_type, principal, tenant_id)
SELECT 'ROLE', 'TENANT_' || UPPER(tenant_id), tenant_id FROM ADMIN.TENANTS t
WHERE NOT EXISTS (
    SELECT 1 FROM ADMIN.TENANT_ACCESS a WHERE a.principal_type = 'ROLE' AND a.tenant_id = t.tenant_id
);
