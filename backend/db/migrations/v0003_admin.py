"""Migration 3: the operator's view of the database, for the admin routes (PostgreSQL only; SQLite gets nothing).

The app role may neither read other sessions' activity nor signal them, and RLS scopes it to one shop. Rather
than granting it pg_read_all_stats and pg_signal_backend (which would let any request read every query text of
the cluster and cancel or terminate any non-superuser session in any database, the API's own included), these
SECURITY DEFINER functions run as the migrating owner and each answer one narrow question:

- `admin_db_sessions()`: the client sessions of this database, query text cut to 200 characters, each marked
  if it is the API's own (application_name 'shop-api', as `backend.db.API_APPLICATION_NAME` sets it).
- `admin_signal_session(pid, backend_start, kind)`: cancel or terminate one client session of this database,
  only if it still has the backend_start the caller saw, never the API's own and never a superuser's (as with
  pg_signal_backend). It returns an outcome the route turns into a status code.
- `admin_business_metrics(active_since, transactions_since)`: three counts across every shop, nothing else
  (see `backend.routes.admin` for what counts as active; the SQLite side runs the same query directly).

The owner needs pg_read_all_stats and pg_signal_backend for these to see and signal others' sessions (a
superuser or Aurora's rds_superuser has both); without the first, others' query texts read
"<insufficient privilege>". Only the app role may execute them; the routes admit only the admin role.
"""

from __future__ import annotations

from backend.db.migrations.base import Migration, MigrationContext

# Written out, not imported: a migration is frozen at its version even if the constant later changes.
_API_APPLICATION_NAME = "shop-api"
_QUERY_TEXT_LIMIT = 200

_SESSIONS = f"""
CREATE FUNCTION admin_db_sessions()
RETURNS TABLE (pid integer, username text, application_name text, client_addr text, state text,
               backend_start timestamptz, xact_start timestamptz, query_start timestamptz,
               state_change timestamptz, wait_event_type text, wait_event text, query text,
               query_truncated boolean, api_session boolean, collected_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.pid, a.usename::text, a.application_name, host(a.client_addr), a.state,
           a.backend_start, a.xact_start, a.query_start, a.state_change, a.wait_event_type, a.wait_event,
           left(a.query, {_QUERY_TEXT_LIMIT}), length(a.query) > {_QUERY_TEXT_LIMIT},
           a.application_name = '{_API_APPLICATION_NAME}' OR a.pid = pg_backend_pid(),
           clock_timestamp()
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.backend_type = 'client backend'
    ORDER BY a.backend_start, a.pid
$$
"""

# Outcomes: signalled, failed (the server refused, e.g. it exited meanwhile), not_found, api_session,
# superuser, changed. The API's own and superusers' sessions are refused before backend_start is compared:
# that rule does not depend on what the caller sends.
_SIGNAL = f"""
CREATE FUNCTION admin_signal_session(p_pid integer, p_backend_start timestamptz, p_kind text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_session record;
    v_done boolean;
BEGIN
    IF p_kind NOT IN ('cancel', 'terminate') THEN
        RAISE EXCEPTION USING MESSAGE = 'unknown signal kind ' || quote_literal(p_kind),
                              ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.backend_start, a.application_name, r.rolsuper INTO v_session
    FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
    WHERE a.pid = p_pid AND a.datname = current_database() AND a.backend_type = 'client backend';
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF p_pid = pg_backend_pid() OR v_session.application_name = '{_API_APPLICATION_NAME}' THEN
        RETURN 'api_session';
    END IF;
    IF v_session.rolsuper THEN
        RETURN 'superuser';
    END IF;
    IF v_session.backend_start IS DISTINCT FROM p_backend_start THEN
        RETURN 'changed';
    END IF;
    IF p_kind = 'cancel' THEN
        v_done := pg_cancel_backend(p_pid);
    ELSE
        v_done := pg_terminate_backend(p_pid);
    END IF;
    RETURN CASE WHEN v_done THEN 'signalled' ELSE 'failed' END;
END
$$
"""

# Activity is a sale, a refund or a stock adjustment, each at the time the server recorded it (device clocks may
# be off, and an order sold offline counts when it arrives). The owner's RLS policy lets it count every shop.
_METRICS = """
CREATE FUNCTION admin_business_metrics(p_active_since timestamptz, p_transactions_since timestamptz)
RETURNS TABLE (active_shops bigint, active_users bigint, transactions bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH activity AS (
        SELECT shop_id, cashier_sub AS sub FROM public.orders WHERE received_at >= p_active_since
        UNION
        SELECT shop_id, created_by FROM public.refunds WHERE received_at >= p_active_since
        UNION
        SELECT shop_id, created_by FROM public.stock_movements
        WHERE source = 'adjustment' AND created_at >= p_active_since
    )
    SELECT (SELECT count(DISTINCT shop_id) FROM activity),
           (SELECT count(DISTINCT sub) FROM activity),
           (SELECT count(*) FROM public.orders WHERE received_at >= p_transactions_since)
$$
"""


def _apply(ctx: MigrationContext) -> None:
    role = ctx.quote(ctx.app_role)
    signatures = (
        "admin_db_sessions()",
        "admin_signal_session(integer, timestamptz, text)",
        "admin_business_metrics(timestamptz, timestamptz)",
    )
    ctx.postgresql(
        _SESSIONS,
        _SIGNAL,
        _METRICS,
        *(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC" for signature in signatures),
        *(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}" for signature in signatures),
    )


MIGRATION = Migration(3, "admin", _apply)
