//! Every SQL statement of the store, written once for PostgreSQL (with explicit casts and
//! numbered parameters) and turned into SQLite's form once per process, on first use: the casts
//! are stripped (SQLite stores these values as TEXT and compares them as such). Nothing is
//! built from run-time values: the only statements made at run time are the multi-row inserts,
//! one text per row count, each made once and kept.

use std::sync::{LazyLock, OnceLock};

/// The casts SQLite does not know; its columns hold these values as TEXT.
const CASTS: [&str; 5] = ["::uuid", "::numeric", "::timestamptz", "::text", "::date"];

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
             decided_at, version FROM quotes ",
            $rest
        )
    };
}

/// The status clause of lists and the register: `$1` a status (its rows, for `sent` only those
/// valid on `$3`), `$2` a status to leave out when `$1` is null, or rows stored in `$4` whose
/// validity ended before `$5` (see `quotes::lifecycle::StatusMatch`).
macro_rules! status_clause {
    () => {
        "(($1::text IS NULL AND ($2::text IS NULL OR status <> $2::text)) \
          OR (status = $1::text AND ($3::date IS NULL OR valid_until >= $3::date)) \
          OR (status = $4::text AND valid_until < $5::date))"
    };
}

macro_rules! quote_list_filter {
    () => {
        concat!(
            "WHERE ",
            status_clause!(),
            " AND ($6::text IS NULL OR number = $6::text) \
             AND ($7::text IS NULL OR LOWER(employer_name) LIKE $7::text ESCAPE '\\') \
             AND ($8::timestamptz IS NULL OR created_at >= $8::timestamptz) \
             AND ($9::timestamptz IS NULL OR created_at < $9::timestamptz)"
        )
    };
}

macro_rules! register_select {
    ($range:expr) => {
        concat!(
            "SELECT number, revision, created_at, status, employer_name, tier_code, catalog_version, \
             computation, valid_until, decided_at FROM quotes WHERE ",
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
        "WHERE ($1::text IS NULL OR status = $1::text) \
         AND ($2::timestamptz IS NULL OR created_at >= $2::timestamptz) \
         AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)"
    };
}

statements! {
    ping = "SELECT 1";
    find_idempotent = "SELECT id::text, idempotency_hash FROM quotes WHERE idempotency_key = $1";
    fetch_quote = quote_select!("WHERE id = $1::uuid");
    list_quotes = quote_select!(concat!(quote_list_filter!(), " ORDER BY created_at DESC, id DESC LIMIT $10 OFFSET $11"));
    count_quotes = concat!("SELECT COUNT(*) FROM quotes ", quote_list_filter!());
    /// The register by which creation bounds are given (the SQL holds only those, so a period
    /// is read through the created_at index): none, from, before, both.
    register_all = register_select!("");
    register_from = register_select!(" AND created_at >= $6::timestamptz");
    register_before = register_select!(" AND created_at < $6::timestamptz");
    register_between = register_select!(" AND created_at >= $6::timestamptz AND created_at < $7::timestamptz");
    replace_draft = "UPDATE quotes SET language = $2, employer_name = $3, employer = $4, employee = $5, \
         circumstances = $6, computation = $7, catalog_version = $8, catalog_hash = $9, tier_code = $10, \
         excl_vat = $11::numeric, vat = $12::numeric, incl_vat = $13::numeric, valid_until = $14, \
         updated_at = $15, computation_translated = $16, version = version + 1 \
         WHERE id = $1::uuid AND version = $17";
    change_status = "UPDATE quotes SET status = $2, updated_at = $3, decided_at = COALESCE($4, decided_at), \
         version = version + 1 WHERE id = $1::uuid AND version = $5";
    supersede = "UPDATE quotes SET status = $2, superseded_by = $3::uuid, updated_at = $4, \
         version = version + 1 WHERE id = $1::uuid AND version = $5";
    last_revision = "SELECT MAX(revision) FROM quotes WHERE number = $1";
    events = "SELECT id, quote_id::text AS quote_id, from_status, to_status, at, role, key_id, reason, \
         document_sha256, name FROM quote_events WHERE quote_id = $1::uuid ORDER BY id";
    lapsed = "SELECT id::text, version FROM quotes WHERE status = $1 AND valid_until < $2::date";
    take_numbers = "INSERT INTO quote_counters (prefix, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (prefix, year) DO UPDATE SET last = quote_counters.last + $3 RETURNING last";
    link_request = "UPDATE quote_requests SET status = $3, quote_id = $4::uuid, decided_at = $5, \
         decided_by_key = $6, updated_at = $5 WHERE id = $1::uuid AND status = $2";
    insert_request = "INSERT INTO quote_requests (id, reference, status, employer_name, employer, employee, \
         circumstances, indicative, tier_code, excl_vat, incl_vat, consent_at, created_at, updated_at) \
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::numeric, $11::numeric, $12, $13, $14)";
    fetch_request = concat!("SELECT ", request_columns!(), " FROM quote_requests WHERE id = $1::uuid");
    list_requests = concat!("SELECT ", request_columns!(), " FROM quote_requests ", request_filter!(),
         " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5");
    count_requests = concat!("SELECT COUNT(*) FROM quote_requests ", request_filter!());
    decide_request = "UPDATE quote_requests SET status = $3, reason = $4, decided_at = $5, \
         decided_by_key = $6, updated_at = $5 WHERE id = $1::uuid AND status = $2";
    delete_request = "DELETE FROM quote_requests WHERE id = $1::uuid";
    purge_requests = "DELETE FROM quote_requests WHERE quote_id IS NULL AND created_at < $1";
    insert_job = "INSERT INTO outbox (id, kind, quote_id, topic, recipient, payload, status, attempts, \
         created_at, next_attempt_at) VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7, 0, $8, $8)";
    /// Leases due jobs: `$1` now, `$2` the lease's end, `$3` how many, `$4` the queued status.
    claim_jobs = "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM outbox WHERE status = $4 AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until < $1) ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING id::text AS id, kind, payload, attempts, created_at";
    finish_job = "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
         lease_until = NULL, done_at = $5 WHERE id = $1::uuid";
    deliveries = "SELECT id::text AS id, kind, topic, recipient, status, attempts, last_error, created_at, \
         next_attempt_at, done_at FROM outbox WHERE quote_id = $1::uuid ORDER BY created_at, id";
    insert_link = "INSERT INTO quote_links (token_sha256, quote_id, created_at) VALUES ($1, $2::uuid, $3)";
    find_link = "SELECT quote_id::text FROM quote_links WHERE token_sha256 = $1";
    /// Quotes stored in `$1` valid from `$2` to `$3` with no outbox job of topic `$4` yet.
    without_job = "SELECT id::text FROM quotes WHERE status = $1 AND valid_until >= $2::date \
         AND valid_until <= $3::date AND NOT EXISTS (SELECT 1 FROM outbox \
         WHERE outbox.quote_id = quotes.id AND outbox.topic = $4)";
}

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
    made: [[OnceLock<&'static str>; MAX_ROWS + 1]; 2],
}

/// The largest number of rows one statement inserts.
pub(crate) const MAX_ROWS: usize = 128;

impl MultiRow {
    const fn new(head: &'static str, row: &'static str) -> MultiRow {
        MultiRow {
            head,
            row,
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
            let text = format!("{} VALUES {}", self.head, numbered_rows(self.row, rows));
            keep(if sqlite { to_sqlite(&text) } else { text })
        })
    }
}

pub(crate) static INSERT_QUOTES: MultiRow = MultiRow::new(
    "INSERT INTO quotes (id, number, revision, status, language, employer_name, employer, employee, \
     circumstances, computation, catalog_version, catalog_hash, tier_code, excl_vat, vat, incl_vat, \
     valid_until, created_at, updated_at, created_by_role, created_by_key, supersedes, idempotency_key, \
     idempotency_hash, computation_translated)",
    "(?::uuid, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?::numeric, ?, ?, ?, ?, ?, \
     ?::uuid, ?, ?, ?)",
);

pub(crate) static INSERT_EVENTS: MultiRow = MultiRow::new(
    "INSERT INTO quote_events (quote_id, from_status, to_status, at, role, key_id, reason, document_sha256, name)",
    "(?::uuid, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        assert!(first.ends_with("$22, $23, $24, $25, $26, $27)"), "{first}");
    }
}
