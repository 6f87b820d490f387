-- Step 7 of 8: the scheduled refresh of saved analyses (architecture document, §2.2, "Scheduled Tasks").
--
-- Differences from the document, and why: the document sets SESSION_CONTEXT per analysis, which does not
-- exist (see 06_security.sql); the stored SQL is the guard's output, which already filters every table on
-- the analysis's tenant, and the task runs as PLATFORM_ADMIN, so no context is needed. The next run is
-- set 15 minutes ahead; the app recomputes the exact time from the cron expression when it mirrors the
-- analysis, because Snowflake SQL has no cron arithmetic. A failure is logged and the loop goes on.
USE DATABASE INDIGITAL_PROD;

CREATE OR REPLACE PROCEDURE ADMIN.SP_REFRESH_DUE_ANALYSES()
RETURNS VARCHAR
LANGUAGE SQL
EXECUTE AS OWNER
AS
$$
DECLARE
    due CURSOR FOR
        SELECT analysis_id, tenant_id, generated_sql
        FROM ADMIN.SAVED_ANALYSES
        WHERE is_active = TRUE AND refresh_schedule IS NOT NULL AND next_refresh_at <= CURRENT_TIMESTAMP();
    refreshed INTEGER DEFAULT 0;
BEGIN
    FOR analysis IN due DO
        BEGIN
            EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM (' || analysis.generated_sql || ')';
            INSERT INTO ADMIN.ANALYSIS_EXECUTIONS (analysis_id, tenant_id, executed_by, finished_at, status, query_id)
            VALUES (analysis.analysis_id, analysis.tenant_id, 'ADMIN.REFRESH_SAVED_ANALYSES', CURRENT_TIMESTAMP(),
                    'ok', LAST_QUERY_ID());
            UPDATE ADMIN.SAVED_ANALYSES
            SET last_refresh_at = CURRENT_TIMESTAMP(),
                next_refresh_at = DATEADD('minute', 15, CURRENT_TIMESTAMP())
            WHERE analysis_id = analysis.analysis_id;
            refreshed := refreshed + 1;
        EXCEPTION
            WHEN OTHER THEN
                INSERT INTO ADMIN.AUDIT_LOG (tenant_id, action, details)
                SELECT analysis.tenant_id, 'refresh_error',
                       OBJECT_CONSTRUCT('analysis_id', analysis.analysis_id, 'error', SQLERRM);
        END;
    END FOR;
    RETURN 'refreshed ' || refreshed;
END;
$$;

CREATE OR REPLACE TASK ADMIN.REFRESH_SAVED_ANALYSES
    WAREHOUSE = ANALYTICS_WH
    SCHEDULE = 'USING CRON */15 * * * * UTC'
AS
CALL ADMIN.SP_REFRESH_DUE_ANALYSES();

ALTER TASK ADMIN.REFRESH_SAVED_ANALYSES RESUME;
