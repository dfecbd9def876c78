//! Every SQL statement of the store, written once for PostgreSQL (with explicit casts and
//! numbered parameters) and turned into SQLite's form once per process, on first use: the casts
//! are stripped (SQLite stores these values as TEXT and compares them as such). Nothing is
//! built from run-time values: the only statements made at run time are the multi-row ones
//! (inserts, the counters' upsert, the outbox's finish), one text per row count, each made once
//! and kept.

use std::sync::{LazyLock, OnceLock};

/// The casts SQLite does not know; its columns hold these values as TEXT.
const CASTS: [&str; 6] = [
    "::uuid",
    "::numeric",
    "::timestamptz",
    "::text",
    "::date",
    "::bigint",
];

fn to_sqlite(text: &str) -> String {
    // SQLite has one writer at a time: a worker's claim needs no row locks.
    let mut out = text.replace(" FOR UPDATE SKIP LOCKED", "");
    for cast in CASTS {
        out = out.replace(cast, "");
    }
    out
}

/// A text made once and kept for the life of the process.
fn keep(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

macro_rules! statements {
    ($($(#[$doc:meta])* $name:ident = $sql:expr;)*) => {
        /// The store's statements in one backend's dialect.
        pub(crate) struct Statements {
            $($(#[$doc])* pub $name: &'static str,)*
        }

        impl Statements {
            fn build(dialect: fn(&'static str) -> &'static str) -> Statements {
                Statements { $($name: dialect($sql),)* }
            }

            /// Every statement with its name (for the test that prepares each on both backends).
            pub fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($name), self.$name),)*]
            }
        }
    };
}

macro_rules! quote_select {
    ($rest:expr) => {
        concat!(
            "SELECT id::text AS id, number, revision, status, employer, employee, circumstances, \
             computation, computation_translated, valid_until, created_at, updated_at, created_by_role, \
             created_by_key, supersedes::text AS supersedes, superseded_by::text AS superseded_by, \
             decided_at, version, employee_consent, employee_consent_asked_at, employee_consent_at, \
             employee_consent_sha256 FROM quotes ",
            $rest
        )
    };
}

/// The status clause of lists and the register: `$2` a status (its rows, for `sent` only those
/// valid on `$4`), `$3` a status to leave out when `$2` is null, or rows stored in `$5` whose
/// validity ended before `$6` (see `quotes::lifecycle::StatusMatch`).
macro_rules! status_clause {
    () => {
        "(($2::text IS NULL AND ($3::text IS NULL OR status <> $3::text)) \
          OR (status = $2::text AND ($4::date IS NULL OR valid_until >= $4::date)) \
          OR (status = $5::text AND valid_until < $6::date))"
    };
}

macro_rules! quote_list_filter {
    () => {
        concat!(
            "WHERE bureau_id = $1 AND ",
            status_clause!(),
            " AND ($7::text IS NULL OR number = $7::text) \
             AND ($8::text IS NULL OR LOWER(employer_name) LIKE $8::text ESCAPE '\\') \
             AND ($9::timestamptz IS NULL OR created_at >= $9::timestamptz) \
             AND ($10::timestamptz IS NULL OR created_at < $10::timestamptz)"
        )
    };
}

macro_rules! register_select {
    ($range:expr) => {
        concat!(
            "SELECT number, revision, created_at, status, employer_name, tier_code, catalog_version, \
             computation, valid_until, decided_at, employee_consent, employee_consent_asked_at, \
             employee_consent_at, employee_consent_sha256 FROM quotes WHERE bureau_id = $1 AND ",
            status_clause!(),
            $range,
            " ORDER BY number, revision"
        )
    };
}

macro_rules! request_columns {
    () => {
        "id::text AS id, reference, status, employer, employee, circumstances, indicative, \
         consent_at, created_at, updated_at, quote_id::text AS quote_id, decided_at, decided_by_key, reason"
    };
}

macro_rules! request_filter {
    () => {
        "WHERE bureau_id = $1 AND ($2::text IS NULL OR status = $2::text) \
         AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz) \
         AND ($4::timestamptz IS NULL OR created_at < $4::timestamptz)"
    };
}

macro_rules! webhook_job_select {
    () => {
        "SELECT o.id::text AS id, o.topic, o.recipient, o.quote_id::text AS quote_id, o.status, \
         o.last_error, o.created_at, o.next_attempt_at, o.done_at, \
         (e.disabled_at IS NOT NULL) AS endpoint_disabled \
         FROM outbox AS o LEFT JOIN webhook_endpoints AS e ON e.bureau_id = o.bureau_id AND e.id = o.endpoint "
    };
}

macro_rules! webhook_job_filter {
    () => {
        "WHERE o.bureau_id = $1 AND o.kind = $2 AND ($3::text IS NULL OR o.status = $3::text) \
         AND ($4::text IS NULL OR o.topic = $4::text) AND ($5::uuid IS NULL OR o.quote_id = $5::uuid)"
    };
}

statements! {
    ping = "SELECT 1";
    find_idempotent = "SELECT id::text, idempotency_hash FROM quotes WHERE bureau_id = $1 AND idempotency_key = $2";
    fetch_quote = quote_select!("WHERE bureau_id = $1 AND id = $2::uuid");
    list_quotes = quote_select!(concat!(quote_list_filter!(), " ORDER BY created_at DESC, id DESC LIMIT $11 OFFSET $12"));
    count_quotes = concat!("SELECT COUNT(*) FROM quotes ", quote_list_filter!());
    /// The register by which creation bounds are given (the SQL holds only those, so a period
    /// is read through the created_at index): none, from, before, both.
    register_all = register_select!("");
    register_from = register_select!(" AND created_at >= $7::timestamptz");
    register_before = register_select!(" AND created_at < $7::timestamptz");
    register_between = register_select!(" AND created_at >= $7::timestamptz AND created_at < $8::timestamptz");
    /// The schedules of the revisions stored in `$2`, from the computation in language `$3`.
    schedules = "SELECT number, revision, status, employer_name, decided_at, updated_at, \
         employee_consent, employee_consent_asked_at, employee_consent_at, employee_consent_sha256, \
         CASE WHEN language = $3::text THEN computation ELSE computation_translated END AS computation \
         FROM quotes WHERE bureau_id = $1 AND status = $2::text ORDER BY number, revision";
    replace_draft = "UPDATE quotes SET language = $3, employer_name = $4, employer = $5, employee = $6, \
         circumstances = $7, computation = $8, catalog_version = $9, catalog_hash = $10, tier_code = $11, \
         excl_vat = $12::numeric, vat = $13::numeric, incl_vat = $14::numeric, valid_until = $15, \
         updated_at = $16, computation_translated = $17, version = version + 1 \
         WHERE bureau_id = $1 AND id = $2::uuid AND version = $18";
    change_status = "UPDATE quotes SET status = $3, updated_at = $4, decided_at = COALESCE($5, decided_at), \
         version = version + 1 WHERE bureau_id = $1 AND id = $2::uuid AND version = $6";
    supersede = "UPDATE quotes SET status = $3, superseded_by = $4::uuid, updated_at = $5, \
         version = version + 1 WHERE bureau_id = $1 AND id = $2::uuid AND version = $6";
    last_revision = "SELECT MAX(revision) FROM quotes WHERE bureau_id = $1 AND number = $2";
    events = "SELECT id, quote_id::text AS quote_id, from_status, to_status, at, role, key_id, reason, \
         document_sha256, name, evidence FROM quote_events WHERE bureau_id = $1 AND quote_id = $2::uuid ORDER BY id";
    lapsed = "SELECT id::text, version FROM quotes WHERE bureau_id = $1 AND status = $2 AND valid_until < $3::date";
    link_request = "UPDATE quote_requests SET status = $4, quote_id = $5::uuid, decided_at = $6, \
         decided_by_key = $7, updated_at = $6 WHERE bureau_id = $1 AND id = $2::uuid AND status = $3";
    insert_request = "INSERT INTO quote_requests (bureau_id, id, reference, status, employer_name, employer, employee, \
         circumstances, indicative, tier_code, excl_vat, incl_vat, consent_at, created_at, updated_at) \
         VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11::numeric, $12::numeric, $13, $14, $15)";
    fetch_request = concat!("SELECT ", request_columns!(), " FROM quote_requests WHERE bureau_id = $1 AND id = $2::uuid");
    list_requests = concat!("SELECT ", request_columns!(), " FROM quote_requests ", request_filter!(),
         " ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6");
    count_requests = concat!("SELECT COUNT(*) FROM quote_requests ", request_filter!());
    decide_request = "UPDATE quote_requests SET status = $4, reason = $5, decided_at = $6, \
         decided_by_key = $7, updated_at = $6 WHERE bureau_id = $1 AND id = $2::uuid AND status = $3";
    delete_request = "DELETE FROM quote_requests WHERE bureau_id = $1 AND id = $2::uuid";
    purge_requests = "DELETE FROM quote_requests WHERE bureau_id = $1 AND quote_id IS NULL AND created_at < $2";
    /// Leases due jobs, the longest due first (in the due index's order: no sort of a deep
    /// queue; ties in any order, as the order that matters is kept by the `NOT EXISTS`): `$1`
    /// now, `$2` the lease's end, `$3` how many, `$4` the queued status. Spans bureaus: one
    /// worker delivers for all; each job is then finished in its own bureau.
    /// A job waits while an older job with its order key and endpoint is queued (in flight or
    /// between attempts): a quote's webhook events reach each endpoint in order.
    claim_jobs = "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 WHERE seq IN (\
         SELECT o.seq FROM outbox AS o WHERE o.status = $4 AND o.next_attempt_at <= $1 \
         AND (o.lease_until IS NULL OR o.lease_until < $1) \
         AND NOT EXISTS (SELECT 1 FROM outbox AS older WHERE older.status = $4 \
             AND older.order_key = o.order_key AND older.endpoint = o.endpoint AND older.seq < o.seq) \
         ORDER BY o.next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING seq, bureau_id, id::text AS id, kind, payload, attempts, attempts - round_base AS round_attempts, \
         COALESCE(round_started_at, created_at) AS round_started_at";
    /// Blanks a finished e-mail's recipients (`$3`) and content.
    forget_recipients = "UPDATE outbox SET recipient = $3, payload = '{}' WHERE bureau_id = $1 AND id = $2::uuid";
    deliveries = "SELECT id::text AS id, kind, topic, recipient, status, attempts, last_error, created_at, \
         next_attempt_at, done_at FROM outbox WHERE bureau_id = $1 AND quote_id = $2::uuid ORDER BY seq";
    disabled_endpoints = "SELECT id, disabled_at, disabled_reason FROM webhook_endpoints \
         WHERE bureau_id = $1 AND disabled_at IS NOT NULL";
    disable_endpoint = "INSERT INTO webhook_endpoints (bureau_id, id, disabled_at, disabled_reason) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (bureau_id, id) DO UPDATE SET disabled_at = $3, disabled_reason = $4";
    enable_endpoint = "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE bureau_id = $1 AND id = $2";
    /// Webhook deliveries: `$2` the kind, then status, event and quote, each when given.
    list_webhook_jobs = concat!(webhook_job_select!(), webhook_job_filter!(), " ORDER BY o.seq DESC LIMIT $6 OFFSET $7");
    count_webhook_jobs = concat!("SELECT COUNT(*) FROM outbox AS o ", webhook_job_filter!());
    /// The attempts of the jobs `list_webhook_jobs` gives for the same parameters.
    webhook_attempts_of_page = concat!("SELECT job_id::text AS job_id, attempt, at, status_code, error \
         FROM outbox_attempts WHERE bureau_id = $1 AND job_id IN (SELECT o.id FROM outbox AS o ", webhook_job_filter!(),
         " ORDER BY o.seq DESC LIMIT $6 OFFSET $7) ORDER BY id");
    webhook_job = concat!(webhook_job_select!(), "WHERE o.bureau_id = $1 AND o.id = $2::uuid AND o.kind = $3");
    attempts_of_job = "SELECT job_id::text AS job_id, attempt, at, status_code, error FROM outbox_attempts \
         WHERE bureau_id = $1 AND job_id = $2::uuid ORDER BY id";
    job_info = "SELECT kind, endpoint, status FROM outbox WHERE bureau_id = $1 AND id = $2::uuid";
    /// Queues a job again: `$3` queued, `$4` now (due at once; the retry schedule restarts).
    requeue_job = "UPDATE outbox SET status = $3, next_attempt_at = $4, round_base = attempts, \
         round_started_at = $4, done_at = NULL WHERE bureau_id = $1 AND id = $2::uuid";
    /// The queue of the whole deployment, for the metrics (spans bureaus).
    queue_stats = "SELECT kind, COUNT(*) AS queued, MIN(COALESCE(round_started_at, created_at)) AS oldest \
         FROM outbox WHERE status = $1 GROUP BY kind ORDER BY kind";
    insert_link = "INSERT INTO quote_links (bureau_id, token_sha256, quote_id, created_at, purpose, expires_at, \
         document_sha256) VALUES ($1, $2, $3::uuid, $4, $5, $6, $7)";
    /// The bureau of a link (spans bureaus: a link's page is opened before its bureau is known).
    link_bureau = "SELECT bureau_id FROM quote_links WHERE token_sha256 = $1";
    find_link = "SELECT quote_id::text AS quote_id, purpose, expires_at, document_sha256 FROM quote_links \
         WHERE bureau_id = $1 AND token_sha256 = $2";
    /// The employee's consent as a change leaves it.
    set_consent = "UPDATE quotes SET employee_consent = $3, employee_consent_asked_at = $4, \
         employee_consent_at = $5, employee_consent_sha256 = $6 WHERE bureau_id = $1 AND id = $2::uuid";
    catalog_versions = "SELECT version, valid_from, sha256, source, published_by, published_at \
         FROM catalog_versions WHERE bureau_id = $1 ORDER BY valid_from";
    catalog_marks = "SELECT version, sha256 FROM catalog_versions WHERE bureau_id = $1 ORDER BY valid_from";
    insert_catalog_version = "INSERT INTO catalog_versions (bureau_id, version, valid_from, sha256, source, \
         published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /// Deletes a version only while it is not in force: `$3` today.
    delete_catalog_version = "DELETE FROM catalog_versions WHERE bureau_id = $1 AND version = $2 AND valid_from > $3::date";
    catalog_assets = "SELECT name, sha256, bytes, published_by, published_at FROM catalog_assets WHERE bureau_id = $1 ORDER BY name";
    insert_catalog_asset = "INSERT INTO catalog_assets (bureau_id, name, sha256, bytes, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    insert_document = "INSERT INTO documents (bureau_id, sha256, content_type, size, bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (bureau_id, sha256) DO NOTHING";
    document = "SELECT bytes FROM documents WHERE bureau_id = $1 AND sha256 = $2";
    delete_document = "DELETE FROM documents WHERE bureau_id = $1 AND sha256 = $2";
    events_of_document = "SELECT id, quote_id::text AS quote_id, from_status, to_status, at, role, key_id, \
         reason, document_sha256, name, evidence FROM quote_events WHERE bureau_id = $1 AND document_sha256 = $2 ORDER BY id";
    /// A bureau that leaves: every row of each of its tables (for its export), and erased,
    /// children first.
    dump_outbox_attempts = "SELECT * FROM outbox_attempts WHERE bureau_id = $1";
    dump_outbox = "SELECT * FROM outbox WHERE bureau_id = $1";
    dump_quote_events = "SELECT * FROM quote_events WHERE bureau_id = $1";
    dump_quote_links = "SELECT * FROM quote_links WHERE bureau_id = $1";
    dump_quote_requests = "SELECT * FROM quote_requests WHERE bureau_id = $1";
    dump_quotes = "SELECT * FROM quotes WHERE bureau_id = $1";
    dump_quote_counters = "SELECT * FROM quote_counters WHERE bureau_id = $1";
    dump_documents = "SELECT * FROM documents WHERE bureau_id = $1";
    dump_catalog_versions = "SELECT * FROM catalog_versions WHERE bureau_id = $1";
    dump_catalog_assets = "SELECT * FROM catalog_assets WHERE bureau_id = $1";
    dump_webhook_endpoints = "SELECT * FROM webhook_endpoints WHERE bureau_id = $1";
    dump_api_keys = "SELECT * FROM api_keys WHERE bureau_id = $1";
    erase_outbox_attempts = "DELETE FROM outbox_attempts WHERE bureau_id = $1";
    erase_outbox = "DELETE FROM outbox WHERE bureau_id = $1";
    erase_quote_events = "DELETE FROM quote_events WHERE bureau_id = $1";
    erase_quote_links = "DELETE FROM quote_links WHERE bureau_id = $1";
    erase_quote_requests = "DELETE FROM quote_requests WHERE bureau_id = $1";
    erase_quotes = "DELETE FROM quotes WHERE bureau_id = $1";
    erase_quote_counters = "DELETE FROM quote_counters WHERE bureau_id = $1";
    erase_documents = "DELETE FROM documents WHERE bureau_id = $1";
    erase_catalog_versions = "DELETE FROM catalog_versions WHERE bureau_id = $1";
    erase_catalog_assets = "DELETE FROM catalog_assets WHERE bureau_id = $1";
    erase_webhook_endpoints = "DELETE FROM webhook_endpoints WHERE bureau_id = $1";
    erase_api_keys = "DELETE FROM api_keys WHERE bureau_id = $1";
    /// Unlinks revisions so a bureau's quotes can be erased in any order.
    unlink_revisions = "UPDATE quotes SET supersedes = NULL WHERE bureau_id = $1";
    erase_bureau = "DELETE FROM bureaus WHERE id = $1";
    /// The bureaus (the operator's table: no bureau owns it).
    bureaus = "SELECT id, slug, name, number_prefix, status, settings, revision, created_at, \
         status_changed_at FROM bureaus ORDER BY id";
    bureau_marks = "SELECT id, revision FROM bureaus ORDER BY id";
    insert_bureau = "INSERT INTO bureaus (slug, name, number_prefix, status, settings, revision, created_at) \
         VALUES ($1, $2, $3, $4, '{}', 1, $5) RETURNING id";
    set_bureau_status = "UPDATE bureaus SET status = $2, status_changed_at = $3, revision = revision + 1 \
         WHERE id = $1";
    touch_bureau = "UPDATE bureaus SET revision = revision + 1 WHERE id = $1";
    endpoints = "SELECT id, url, secrets, events, created_at, rotated_at, disabled_at, disabled_reason \
         FROM webhook_endpoints WHERE bureau_id = $1 AND url IS NOT NULL ORDER BY created_at, id";
    insert_endpoint = "INSERT INTO webhook_endpoints (bureau_id, id, url, secrets, events, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    delete_endpoint = "DELETE FROM webhook_endpoints WHERE bureau_id = $1 AND id = $2 AND url IS NOT NULL";
    rotate_endpoint = "UPDATE webhook_endpoints SET secrets = $3, rotated_at = $4 \
         WHERE bureau_id = $1 AND id = $2 AND url IS NOT NULL";
    set_bureau_settings = "UPDATE bureaus SET settings = $2, revision = revision + 1 WHERE id = $1";
    keys = "SELECT id::text AS id, role, sha256, label, created_at, created_by, expires_at, revoked_at \
         FROM api_keys WHERE bureau_id = $1 ORDER BY created_at, id";
    insert_key = "INSERT INTO api_keys (bureau_id, id, role, sha256, label, created_at, created_by, expires_at) \
         VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8)";
    revoke_key = "UPDATE api_keys SET revoked_at = $3 WHERE bureau_id = $1 AND id = $2::uuid \
         AND revoked_at IS NULL";
    /// What each bureau did in a period (span bureaus: the operator's counts).
    usage_created = "SELECT bureau_id, COUNT(*) FROM quotes WHERE revision = 1 \
         AND created_at >= $1 AND created_at < $2 GROUP BY bureau_id";
    usage_moved = "SELECT bureau_id, COUNT(*) FROM quote_events WHERE to_status = $1 \
         AND from_status <> to_status AND at >= $2 AND at < $3 GROUP BY bureau_id";
    usage_requests = "SELECT bureau_id, COUNT(*) FROM quote_requests \
         WHERE created_at >= $1 AND created_at < $2 GROUP BY bureau_id";
    /// Quotes stored in `$2` valid from `$3` to `$4` with no outbox job of topic `$5` yet.
    without_job = "SELECT id::text FROM quotes WHERE bureau_id = $1 AND status = $2 AND valid_until >= $3::date \
         AND valid_until <= $4::date AND NOT EXISTS (SELECT 1 FROM outbox \
         WHERE outbox.bureau_id = $1 AND outbox.quote_id = quotes.id AND outbox.topic = $5)";
}

/// The statements that span bureaus by nature (see migration 0010): every other statement on a
/// bureau's table names its bureau (`tests/api/tenancy.rs` checks both lists).
pub const SPANNING: &[&str] = &[
    "ping",
    "claim_jobs",
    "queue_stats",
    "link_bureau",
    "usage_created",
    "usage_moved",
    "usage_requests",
];

static POSTGRES: LazyLock<Statements> = LazyLock::new(|| Statements::build(|text| text));
static SQLITE: LazyLock<Statements> =
    LazyLock::new(|| Statements::build(|text| keep(to_sqlite(text))));

/// The statements of one backend.
pub(crate) fn of(sqlite: bool) -> &'static Statements {
    if sqlite { &SQLITE } else { &POSTGRES }
}

/// A multi-row `INSERT`: its head, one row's template with `?` for each parameter, and the
/// texts made so far (one per row count, up to the largest batch).
pub(crate) struct MultiRow {
    head: &'static str,
    row: &'static str,
    /// What follows the rows (`ON CONFLICT …`, `RETURNING …`), or nothing.
    tail: &'static str,
    made: [[OnceLock<&'static str>; MAX_ROWS + 1]; 2],
}

/// The largest number of rows one statement inserts.
pub(crate) const MAX_ROWS: usize = 128;

impl MultiRow {
    const fn new(head: &'static str, row: &'static str) -> MultiRow {
        MultiRow::with_tail(head, row, "")
    }

    const fn with_tail(head: &'static str, row: &'static str, tail: &'static str) -> MultiRow {
        MultiRow {
            head,
            row,
            tail,
            made: [
                [const { OnceLock::new() }; MAX_ROWS + 1],
                [const { OnceLock::new() }; MAX_ROWS + 1],
            ],
        }
    }

    /// The statement for `rows` rows (1 to [`MAX_ROWS`]) in one backend's dialect.
    pub fn text(&self, sqlite: bool, rows: usize) -> &'static str {
        let rows = rows.clamp(1, MAX_ROWS);
        self.made[usize::from(sqlite)][rows].get_or_init(|| {
            let text = format!(
                "{} VALUES {}{}",
                self.head,
                numbered_rows(self.row, rows),
                self.tail
            );
            keep(if sqlite { to_sqlite(&text) } else { text })
        })
    }
}

pub(crate) static INSERT_QUOTES: MultiRow = MultiRow::new(
    "INSERT INTO quotes (bureau_id, id, number, revision, status, language, employer_name, employer, employee, \
     circumstances, computation, catalog_version, catalog_hash, tier_code, excl_vat, vat, incl_vat, \
     valid_until, created_at, updated_at, created_by_role, created_by_key, supersedes, idempotency_key, \
     idempotency_hash, computation_translated)",
    "(?, ?::uuid, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?::numeric, ?, ?, ?, ?, ?, \
     ?::uuid, ?, ?, ?)",
);

/// The next numbers of several series at once (one row per bureau, prefix and year, each
/// taking `last` numbers): one round trip for a group of creates of many bureaus.
pub(crate) static TAKE_NUMBERS: MultiRow = MultiRow::with_tail(
    "INSERT INTO quote_counters (bureau_id, prefix, year, last)",
    "(?, ?, ?, ?)",
    " ON CONFLICT (bureau_id, prefix, year) DO UPDATE SET last = quote_counters.last + excluded.last \
     RETURNING bureau_id, prefix, year, last",
);

pub(crate) static INSERT_EVENTS: MultiRow = MultiRow::new(
    "INSERT INTO quote_events (bureau_id, quote_id, from_status, to_status, at, role, key_id, reason, document_sha256, name, \
     evidence)",
    "(?, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);

/// Outbox jobs, queued in the transaction of the change that causes them (the status and the
/// first due time are bound per row: `queued`, the job's creation).
pub(crate) static INSERT_JOBS: MultiRow = MultiRow::new(
    "INSERT INTO outbox (bureau_id, id, kind, quote_id, topic, recipient, payload, status, attempts, created_at, \
     next_attempt_at, endpoint, order_key)",
    "(?, ?::uuid, ?, ?::uuid, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
);

/// Finishes outbox jobs, one row each: `(bureau, id, status, last error, next attempt or null,
/// done at or null)`. The jobs of one worker round are recorded with this and
/// [`INSERT_ATTEMPTS`], two statements instead of two per job. (`VALUES` names its columns
/// `column1`… on both backends; the casts type the parameters on PostgreSQL.)
pub(crate) static FINISH_JOBS: MultiRow = MultiRow::with_tail(
    "UPDATE outbox SET status = v.column3, last_error = v.column4, \
     next_attempt_at = COALESCE(v.column5, outbox.next_attempt_at), lease_until = NULL, done_at = v.column6 FROM (",
    "(?::bigint, ?::uuid, ?::text, ?::text, ?::timestamptz, ?::timestamptz)",
    ") AS v WHERE outbox.bureau_id = v.column1 AND outbox.id = v.column2",
);

/// The attempts of finished jobs, one row each.
pub(crate) static INSERT_ATTEMPTS: MultiRow = MultiRow::new(
    "INSERT INTO outbox_attempts (bureau_id, job_id, attempt, at, status_code, error)",
    "(?, ?::uuid, ?, ?, ?, ?)",
);

/// `rows` copies of a `VALUES` row `template`, its `?` numbered `$1, $2, ...` throughout.
fn numbered_rows(template: &str, rows: usize) -> String {
    let mut out = String::with_capacity((template.len() + 16) * rows);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        for c in template.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_throughout() {
        assert_eq!(numbered_rows("(?::uuid, 'x', ?)", 1), "($1::uuid, 'x', $2)");
        assert_eq!(numbered_rows("(?, ?)", 3), "($1, $2), ($3, $4), ($5, $6)");
    }

    #[test]
    fn sqlite_statements_carry_no_casts_and_are_made_once() {
        for (name, text) in of(true).all() {
            assert!(!text.contains("::"), "{name}: {text}");
        }
        assert!(std::ptr::eq(of(true).fetch_quote, of(true).fetch_quote));
        assert!(of(false).fetch_quote.starts_with("SELECT id::text AS id"));
        let first = INSERT_EVENTS.text(true, 3);
        assert!(std::ptr::eq(first, INSERT_EVENTS.text(true, 3)));
        assert!(first.ends_with("$29, $30, $31, $32, $33)"), "{first}");
    }
}
