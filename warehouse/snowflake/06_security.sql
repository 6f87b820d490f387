-- Step 6 of 8: the row access policy on every mart, Snowflake's own wall behind the app's guard.
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
--
-- Who sees a row, as the architecture document's policy has it (§2.2), each from the session's roles:
--   (a) the tenant's own principals: a user or role mapped to the row's tenant in ADMIN.TENANT_ACCESS;
--   (b) a partner administrator of the row tenant's partner: PARTNER_ADMIN in the session (the document's
--       IS_ROLE_IN_SESSION('PARTNER_ADMIN')) and a role mapped to that partner in ADMIN.PARTNER_ACCESS
--       (the document's partner_id from the session context); a partner role alone no longer shows its
--       partner's tenants;
--   (c) a platform administrator: PLATFORM_ADMIN in the session.
-- The app's tokens carry a role and a scope too, but those only narrow what the guard lets a query read;
-- what Snowflake shows is decided here, by the Snowflake principal the profile signs in as.
--
-- Re-runnable: each policy is created once (showing nothing until its body is set) and its body is set on
-- every run, since Snowflake refuses to replace a policy that is attached; each table gets its policy
-- through ADMIN.SP_ATTACH_ROW_ACCESS_POLICY, which attaches it only where it is missing (and swaps out
-- another policy found there). `inda warehouse test` compares the bodies below, and each table's policy,
-- with what the account has.
USE DATABASE INDIGITAL_PROD;

CREATE ROW ACCESS POLICY IF NOT EXISTS ADMIN.TENANT_DATA_POLICY
AS (row_tenant_id VARCHAR) RETURNS BOOLEAN -> FALSE;

ALTER ROW ACCESS POLICY ADMIN.TENANT_DATA_POLICY SET BODY ->
    IS_ROLE_IN_SESSION('PLATFORM_ADMIN')
    OR EXISTS (
        SELECT 1 FROM ADMIN.TENANT_ACCESS a
        WHERE a.tenant_id = row_tenant_id
          AND ((a.principal_type = 'USER' AND a.principal = CURRENT_USER())
            OR (a.principal_type = 'ROLE' AND IS_ROLE_IN_SESSION(a.principal)))
    )
    OR (IS_ROLE_IN_SESSION('PARTNER_ADMIN') AND EXISTS (
        SELECT 1 FROM ADMIN.TENANTS t
        JOIN ADMIN.PARTNER_ACCESS p ON p.partner_id = t.partner_id
        WHERE t.tenant_id = row_tenant_id AND IS_ROLE_IN_SESSION(p.role_name)
    ));

-- The app reads the tenants directory (names, partners, reporting currencies) from ADMIN.TENANTS. The same
-- principals see the same tenants' rows there; a policy of its own, because TENANT_DATA_POLICY reads
-- ADMIN.TENANTS itself (the partner's tenants), which therefore takes the row's partner as an argument.
CREATE ROW ACCESS POLICY IF NOT EXISTS ADMIN.TENANT_CONFIG_POLICY
AS (row_tenant_id VARCHAR, row_partner_id VARCHAR) RETURNS BOOLEAN -> FALSE;

ALTER ROW ACCESS POLICY ADMIN.TENANT_CONFIG_POLICY SET BODY ->
    IS_ROLE_IN_SESSION('PLATFORM_ADMIN')
    OR EXISTS (
        SELECT 1 FROM ADMIN.TENANT_ACCESS a
        WHERE a.tenant_id = row_tenant_id
          AND ((a.principal_type = 'USER' AND a.principal = CURRENT_USER())
            OR (a.principal_type = 'ROLE' AND IS_ROLE_IN_SESSION(a.principal)))
    )
    OR (IS_ROLE_IN_SESSION('PARTNER_ADMIN') AND EXISTS (
        SELECT 1 FROM ADMIN.PARTNER_ACCESS p
        WHERE p.partner_id = row_partner_id AND IS_ROLE_IN_SESSION(p.role_name)
    ));

-- Attaches `policy` to `target_table` (both schema-qualified, in the current database) on `policy_columns`,
-- unless it is attached already; another row access policy found there is swapped for it in one statement,
-- so the table is never without one. Runs with the deployer's rights.
CREATE OR REPLACE PROCEDURE ADMIN.SP_ATTACH_ROW_ACCESS_POLICY(
    target_table VARCHAR, policy VARCHAR, policy_columns VARCHAR)
RETURNS VARCHAR
LANGUAGE SQL
EXECUTE AS CALLER
AS
$$
DECLARE
    attached VARCHAR;
BEGIN
    LET entity VARCHAR := CURRENT_DATABASE() || '.' || UPPER(target_table);
    LET wanted VARCHAR := CURRENT_DATABASE() || '.' || UPPER(policy);
    SELECT MAX(POLICY_DB || '.' || POLICY_SCHEMA || '.' || POLICY_NAME) INTO :attached
    FROM TABLE(INFORMATION_SCHEMA.POLICY_REFERENCES(
        REF_ENTITY_NAME => :entity, REF_ENTITY_DOMAIN => 'table'))
    WHERE POLICY_KIND = 'ROW_ACCESS_POLICY';
    IF (attached = wanted) THEN
        RETURN target_table || ' already has ' || policy;
    END IF;
    LET add_policy VARCHAR := 'ADD ROW ACCESS POLICY ' || policy || ' ON (' || policy_columns || ')';
    LET stmt VARCHAR := 'ALTER TABLE ' || target_table || ' ' || add_policy;
    IF (attached IS NOT NULL) THEN
        stmt := 'ALTER TABLE ' || target_table || ' DROP ROW ACCESS POLICY ' || attached || ', ' || add_policy;
    END IF;
    EXECUTE IMMEDIATE stmt;
    RETURN target_table || ': ' || stmt;
END;
$$;

CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('MARTS.DIM_CONTACTS', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('MARTS.DIM_CAMPAIGNS', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('MARTS.FCT_MESSAGES', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('MARTS.FCT_ACTIVITIES', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('MARTS.FX_RATES', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');

-- The app's admin mirror reads the saved analyses, executions and audit entries it writes (to merge
-- another device's changes and to insert each entry once): the same wall keeps those reads in the tenant.
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('ADMIN.SAVED_ANALYSES', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('ADMIN.ANALYSIS_EXECUTIONS', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');
CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('ADMIN.AUDIT_LOG', 'ADMIN.TENANT_DATA_POLICY', 'tenant_id');

CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('ADMIN.TENANTS', 'ADMIN.TENANT_CONFIG_POLICY', 'tenant_id, partner_id');
-- Granted only once the policy is on, so no deployment step shows every tenant.
GRANT SELECT ON TABLE ADMIN.TENANTS TO ROLE INDA_APP;

-- One tenant role per demo tenant, mapped; production adds a row per tenant as it is onboarded.
INSERT INTO ADMIN.TENANT_ACCESS (principal_type, principal, tenant_id)
SELECT 'ROLE', 'TENANT_' || UPPER(tenant_id), tenant_id FROM ADMIN.TENANTS t
WHERE NOT EXISTS (
    SELECT 1 FROM ADMIN.TENANT_ACCESS a WHERE a.principal_type = 'ROLE' AND a.tenant_id = t.tenant_id
);
