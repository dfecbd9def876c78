//! A table of bad requests, each with its reason: every one is a 4xx problem+json that names
//! the field at fault by its JSON path, none a 500.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_fields, quote_body, send, spawn_app};

/// One bad request.
struct Case {
    reason: &'static str,
    method: Method,
    /// `{id}` is replaced by the id of a draft quote.
    path: &'static str,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    /// The JSON path the problem must name, when a field is at fault.
    field: Option<&'static str>,
}

fn json_case(
    reason: &'static str,
    method: Method,
    path: &'static str,
    body: Value,
    status: u16,
    field: Option<&'static str>,
) -> Case {
    Case {
        reason,
        method,
        path,
        content_type: Some("application/json"),
        body: Some(serde_json::to_vec(&body).unwrap()),
        status,
        field,
    }
}

fn raw_case(
    reason: &'static str,
    method: Method,
    path: &'static str,
    content_type: &'static str,
    body: &[u8],
    status: u16,
    field: Option<&'static str>,
) -> Case {
    Case {
        reason,
        method,
        path,
        content_type: Some(content_type),
        body: Some(body.to_vec()),
        status,
        field,
    }
}

fn get_case(
    reason: &'static str,
    path: &'static str,
    status: u16,
    field: Option<&'static str>,
) -> Case {
    Case {
        reason,
        method: Method::GET,
        path,
        content_type: None,
        body: None,
        status,
        field,
    }
}

/// Circumstances with fixed dates: first sick day 2025-01-06, so the waiting period ends on
/// 2027-01-03.
fn case_circumstances() -> Value {
    json!({
        "first_sick_day": "2025-01-06",
        "start_date": "2026-06-01",
        "quote_date": "2026-05-15",
        "readiness": "ready_with_support"
    })
}

/// `value` with the member at a dotted path set.
fn with(mut value: Value, path: &str, member: Value) -> Value {
    let mut target = &mut value;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            target[part] = member;
            break;
        }
        target = &mut target[part];
    }
    value
}

/// `value` without the member at a dotted path.
fn without(mut value: Value, path: &str) -> Value {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (Some(parent), last),
        None => (None, path),
    };
    let mut target = &mut value;
    if let Some(parent) = parent {
        for part in parent.split('.') {
            target = &mut target[part];
        }
    }
    target.as_object_mut().unwrap().remove(last);
    value
}

fn create_with(path: &str, member: Value) -> Value {
    let body = with(
        quote_body("Bakkerij De Korenschoof B.V."),
        "circumstances",
        case_circumstances(),
    );
    with(body, path, member)
}

fn create_without(path: &str) -> Value {
    let body = with(
        quote_body("Bakkerij De Korenschoof B.V."),
        "circumstances",
        case_circumstances(),
    );
    without(body, path)
}

fn cases() -> Vec<Case> {
    const PREVIEW: &str = "/api/v1/quotes/preview";
    const CREATE: &str = "/api/v1/quotes";
    const ONE: &str = "/api/v1/quotes/{id}";
    const MOVE: &str = "/api/v1/quotes/{id}/transitions";
    const REVISE: &str = "/api/v1/quotes/{id}/revisions";
    let c = case_circumstances;
    let long_name = "N".repeat(201);
    let oversized = {
        let mut body = serde_json::to_vec(&c()).unwrap();
        body.pop();
        body.extend_from_slice(b", \"language\": \"nl\"");
        body.extend(std::iter::repeat_n(b' ', 65 * 1024));
        body.push(b'}');
        body
    };
    vec![
        // ---- POST /api/v1/quotes/preview
        raw_case(
            "malformed JSON (cut off)",
            Method::POST,
            PREVIEW,
            "application/json",
            b"{\"first_sick_day\": ",
            400,
            None,
        ),
        raw_case(
            "not JSON at all",
            Method::POST,
            PREVIEW,
            "application/json",
            b"first_sick_day=2025-01-06",
            400,
            None,
        ),
        raw_case(
            "an empty body",
            Method::POST,
            PREVIEW,
            "application/json",
            b"",
            400,
            None,
        ),
        raw_case(
            "JSON followed by garbage",
            Method::POST,
            PREVIEW,
            "application/json",
            b"{\"first_sick_day\": \"2025-01-06\", \"readiness\": \"job_ready\"} x",
            400,
            None,
        ),
        json_case(
            "an array instead of an object",
            Method::POST,
            PREVIEW,
            json!([c()]),
            400,
            None,
        ),
        json_case(
            "a date as a number",
            Method::POST,
            PREVIEW,
            with(c(), "first_sick_day", json!(20250106)),
            400,
            Some("first_sick_day"),
        ),
        json_case(
            "a date that does not exist",
            Method::POST,
            PREVIEW,
            with(c(), "first_sick_day", json!("2025-02-30")),
            400,
            Some("first_sick_day"),
        ),
        json_case(
            "a readiness that does not exist",
            Method::POST,
            PREVIEW,
            with(c(), "readiness", json!("eager")),
            400,
            Some("readiness"),
        ),
        json_case(
            "months as a string",
            Method::POST,
            PREVIEW,
            with(c(), "expected_duration_months", json!("six")),
            400,
            Some("expected_duration_months"),
        ),
        json_case(
            "medical data: diagnosis",
            Method::POST,
            PREVIEW,
            with(c(), "diagnosis", json!("burn-out")),
            400,
            Some("diagnosis"),
        ),
        json_case(
            "medical data: complaints",
            Method::POST,
            PREVIEW,
            with(c(), "complaints", json!("back pain")),
            400,
            Some("complaints"),
        ),
        json_case(
            "a BSN in the circumstances",
            Method::POST,
            PREVIEW,
            with(c(), "bsn", json!("111222333")),
            400,
            Some("bsn"),
        ),
        json_case(
            "the readiness is missing",
            Method::POST,
            PREVIEW,
            without(c(), "readiness"),
            400,
            Some("readiness"),
        ),
        json_case(
            "the first sick day is missing",
            Method::POST,
            PREVIEW,
            without(c(), "first_sick_day"),
            400,
            Some("first_sick_day"),
        ),
        json_case(
            "expected duration 0 months",
            Method::POST,
            PREVIEW,
            with(c(), "expected_duration_months", json!(0)),
            422,
            Some("expected_duration_months"),
        ),
        json_case(
            "expected duration 25 months",
            Method::POST,
            PREVIEW,
            with(c(), "expected_duration_months", json!(25)),
            422,
            Some("expected_duration_months"),
        ),
        json_case(
            "start on the last day of the waiting period",
            Method::POST,
            PREVIEW,
            with(
                with(c(), "start_date", json!("2027-01-03")),
                "quote_date",
                json!("2026-12-01"),
            ),
            422,
            Some("start_date"),
        ),
        json_case(
            "start after the waiting period",
            Method::POST,
            PREVIEW,
            with(
                with(c(), "start_date", json!("2027-03-01")),
                "quote_date",
                json!("2026-12-01"),
            ),
            422,
            Some("start_date"),
        ),
        json_case(
            "start before the first sick day",
            Method::POST,
            PREVIEW,
            with(c(), "start_date", json!("2024-12-01")),
            422,
            Some("start_date"),
        ),
        json_case(
            "a waiting-period end before the statutory one",
            Method::POST,
            PREVIEW,
            with(c(), "waiting_period_end", json!("2026-12-01")),
            422,
            Some("waiting_period_end"),
        ),
        json_case(
            "an unknown tier",
            Method::POST,
            PREVIEW,
            with(c(), "tier", json!("m12")),
            422,
            Some("tier"),
        ),
        json_case(
            "a tier that runs past the waiting period",
            Method::POST,
            PREVIEW,
            with(
                with(c(), "start_date", json!("2026-09-01")),
                "tier",
                json!("m9"),
            ),
            422,
            Some("tier"),
        ),
        json_case(
            "an unknown option",
            Method::POST,
            PREVIEW,
            with(c(), "options", json!(["massage"])),
            422,
            Some("options[0]"),
        ),
        json_case(
            "an option twice",
            Method::POST,
            PREVIEW,
            with(c(), "options", json!(["loopbaantest", "loopbaantest"])),
            422,
            Some("options[1]"),
        ),
        json_case(
            "a quote date before the first catalog (2024-01-01)",
            Method::POST,
            PREVIEW,
            json!({"first_sick_day": "2023-06-01", "start_date": "2023-12-01", "quote_date": "2023-12-31", "readiness": "job_ready"}),
            422,
            Some("quote_date"),
        ),
        json_case(
            "a first sick day after the quote date",
            Method::POST,
            PREVIEW,
            with(c(), "first_sick_day", json!("2026-05-20")),
            422,
            Some("first_sick_day"),
        ),
        raw_case(
            "the wrong content type",
            Method::POST,
            PREVIEW,
            "text/plain",
            &serde_json::to_vec(&c()).unwrap(),
            415,
            None,
        ),
        raw_case(
            "a form instead of JSON",
            Method::POST,
            PREVIEW,
            "application/x-www-form-urlencoded",
            b"first_sick_day=2025-01-06",
            415,
            None,
        ),
        Case {
            reason: "no content type",
            method: Method::POST,
            path: PREVIEW,
            content_type: None,
            body: Some(serde_json::to_vec(&c()).unwrap()),
            status: 415,
            field: None,
        },
        raw_case(
            "a body over 64 KiB",
            Method::POST,
            PREVIEW,
            "application/json",
            &oversized,
            413,
            None,
        ),
        // ---- POST /api/v1/quotes
        json_case(
            "medical data at the top level: diagnosis",
            Method::POST,
            CREATE,
            create_with("diagnosis", json!("burn-out")),
            400,
            Some("diagnosis"),
        ),
        json_case(
            "medical data at the top level: complaints",
            Method::POST,
            CREATE,
            create_with("complaints", json!("fatigue")),
            400,
            Some("complaints"),
        ),
        json_case(
            "a BSN at the top level",
            Method::POST,
            CREATE,
            create_with("bsn", json!("111222333")),
            400,
            Some("bsn"),
        ),
        json_case(
            "medical data in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.diagnosis", json!("burn-out")),
            400,
            Some("circumstances.diagnosis"),
        ),
        json_case(
            "complaints in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.complaints", json!("fatigue")),
            400,
            Some("circumstances.complaints"),
        ),
        json_case(
            "a BSN in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.bsn", json!("111222333")),
            400,
            Some("circumstances.bsn"),
        ),
        json_case(
            "a BSN field on the employee",
            Method::POST,
            CREATE,
            create_with("employee.bsn", json!("111222333")),
            400,
            Some("employee.bsn"),
        ),
        json_case(
            "a diagnosis on the employee",
            Method::POST,
            CREATE,
            create_with("employee.diagnosis", json!("burn-out")),
            400,
            Some("employee.diagnosis"),
        ),
        json_case(
            "complaints on the employee",
            Method::POST,
            CREATE,
            create_with("employee.complaints", json!("fatigue")),
            400,
            Some("employee.complaints"),
        ),
        json_case(
            "the company name is missing",
            Method::POST,
            CREATE,
            create_without("employer.company_name"),
            400,
            Some("employer.company_name"),
        ),
        json_case(
            "the contact person is missing",
            Method::POST,
            CREATE,
            create_without("employer.contact_person"),
            400,
            Some("employer.contact_person"),
        ),
        json_case(
            "the e-mail address is missing",
            Method::POST,
            CREATE,
            create_without("employer.email"),
            400,
            Some("employer.email"),
        ),
        json_case(
            "the employee reference is missing",
            Method::POST,
            CREATE,
            create_without("employee.reference"),
            400,
            Some("employee.reference"),
        ),
        json_case(
            "the circumstances are missing",
            Method::POST,
            CREATE,
            create_without("circumstances"),
            400,
            Some("circumstances"),
        ),
        json_case(
            "the first sick day is missing in the circumstances",
            Method::POST,
            CREATE,
            create_without("circumstances.first_sick_day"),
            400,
            Some("circumstances.first_sick_day"),
        ),
        json_case(
            "hours as a string",
            Method::POST,
            CREATE,
            create_with("employee.hours_per_week", json!("32")),
            400,
            Some("employee.hours_per_week"),
        ),
        json_case(
            "the employer as a string",
            Method::POST,
            CREATE,
            create_with("employer", json!("Bakkerij")),
            400,
            Some("employer"),
        ),
        json_case(
            "a first sick day as a number in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.first_sick_day", json!(5)),
            400,
            Some("circumstances.first_sick_day"),
        ),
        json_case(
            "0 hours per week",
            Method::POST,
            CREATE,
            create_with("employee.hours_per_week", json!(0)),
            422,
            Some("employee.hours_per_week"),
        ),
        json_case(
            "61 hours per week",
            Method::POST,
            CREATE,
            create_with("employee.hours_per_week", json!(61)),
            422,
            Some("employee.hours_per_week"),
        ),
        json_case(
            "a KvK number of 7 digits",
            Method::POST,
            CREATE,
            create_with("employer.kvk_number", json!("1234567")),
            422,
            Some("employer.kvk_number"),
        ),
        json_case(
            "a KvK number of 9 digits",
            Method::POST,
            CREATE,
            create_with("employer.kvk_number", json!("123456789")),
            422,
            Some("employer.kvk_number"),
        ),
        json_case(
            "a KvK number with a letter",
            Method::POST,
            CREATE,
            create_with("employer.kvk_number", json!("1234567A")),
            422,
            Some("employer.kvk_number"),
        ),
        json_case(
            "a phone number of 3 digits",
            Method::POST,
            CREATE,
            create_with("employer.phone", json!("112")),
            422,
            Some("employer.phone"),
        ),
        json_case(
            "a phone number in words",
            Method::POST,
            CREATE,
            create_with("employer.phone", json!("call me maybe")),
            422,
            Some("employer.phone"),
        ),
        json_case(
            "an e-mail address without @",
            Method::POST,
            CREATE,
            create_with("employer.email", json!("hr.example.nl")),
            422,
            Some("employer.email"),
        ),
        json_case(
            "an e-mail address without a domain",
            Method::POST,
            CREATE,
            create_with("employer.email", json!("hr@localhost")),
            422,
            Some("employer.email"),
        ),
        json_case(
            "a BSN as the employee reference",
            Method::POST,
            CREATE,
            create_with("employee.reference", json!("111222333")),
            422,
            Some("employee.reference"),
        ),
        json_case(
            "a BSN with dots as the employee reference",
            Method::POST,
            CREATE,
            create_with("employee.reference", json!("111.222.333")),
            422,
            Some("employee.reference"),
        ),
        json_case(
            "a company name of 201 characters",
            Method::POST,
            CREATE,
            create_with("employer.company_name", json!(long_name)),
            422,
            Some("employer.company_name"),
        ),
        json_case(
            "an empty company name",
            Method::POST,
            CREATE,
            create_with("employer.company_name", json!("  ")),
            422,
            Some("employer.company_name"),
        ),
        json_case(
            "a control character in the contact person",
            Method::POST,
            CREATE,
            create_with("employer.contact_person", json!("J.\u{7} de Vries")),
            422,
            Some("employer.contact_person"),
        ),
        json_case(
            "a city of 201 characters",
            Method::POST,
            CREATE,
            create_with("employer.address.city", json!(long_name)),
            422,
            Some("employer.address.city"),
        ),
        json_case(
            "expected duration 0 months in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.expected_duration_months", json!(0)),
            422,
            Some("circumstances.expected_duration_months"),
        ),
        json_case(
            "a start on the waiting period's last day",
            Method::POST,
            CREATE,
            create_with("circumstances.start_date", json!("2027-01-03")),
            422,
            Some("circumstances.start_date"),
        ),
        json_case(
            "a waiting-period end before the statutory one in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.waiting_period_end", json!("2026-01-01")),
            422,
            Some("circumstances.waiting_period_end"),
        ),
        json_case(
            "an unknown tier in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.tier", json!("gold")),
            422,
            Some("circumstances.tier"),
        ),
        json_case(
            "an unknown option in the circumstances",
            Method::POST,
            CREATE,
            create_with("circumstances.options", json!(["intake", "massage"])),
            422,
            Some("circumstances.options[1]"),
        ),
        json_case(
            "a quote date before 2024-01-01 in the circumstances",
            Method::POST,
            CREATE,
            create_with(
                "circumstances",
                json!({"first_sick_day": "2023-06-01", "start_date": "2023-12-01", "quote_date": "2023-12-31", "readiness": "job_ready"}),
            ),
            422,
            Some("circumstances.quote_date"),
        ),
        raw_case(
            "the wrong content type",
            Method::POST,
            CREATE,
            "text/xml",
            b"<quote/>",
            415,
            None,
        ),
        raw_case(
            "malformed JSON",
            Method::POST,
            CREATE,
            "application/json",
            b"{\"employer\": {",
            400,
            None,
        ),
        // ---- PATCH /api/v1/quotes/{id}
        json_case(
            "an unknown field in an edit",
            Method::PATCH,
            ONE,
            json!({"diagnosis": "burn-out"}),
            400,
            Some("diagnosis"),
        ),
        json_case(
            "a BSN field on the employee in an edit",
            Method::PATCH,
            ONE,
            json!({"employee": {"reference": "PV-1", "bsn": "111222333"}}),
            400,
            Some("employee.bsn"),
        ),
        json_case(
            "a bad KvK number in an edit",
            Method::PATCH,
            ONE,
            json!({"employer": {"company_name": "X", "contact_person": "Y", "email": "a@b.nl", "kvk_number": "12"}}),
            422,
            Some("employer.kvk_number"),
        ),
        json_case(
            "a start after the waiting period in an edit",
            Method::PATCH,
            ONE,
            json!({"circumstances": with(c(), "start_date", json!("2027-02-01"))}),
            422,
            Some("circumstances.start_date"),
        ),
        raw_case(
            "the wrong content type in an edit",
            Method::PATCH,
            ONE,
            "text/plain",
            b"{}",
            415,
            None,
        ),
        // ---- POST /api/v1/quotes/{id}/transitions and /revisions
        json_case(
            "a status that does not exist",
            Method::POST,
            MOVE,
            json!({"to": "flying"}),
            400,
            Some("to"),
        ),
        json_case(
            "no target status",
            Method::POST,
            MOVE,
            json!({"reason": "because"}),
            400,
            Some("to"),
        ),
        json_case(
            "a reason as a number",
            Method::POST,
            MOVE,
            json!({"to": "sent", "reason": 42}),
            400,
            Some("reason"),
        ),
        json_case(
            "a reason of 1001 characters",
            Method::POST,
            MOVE,
            json!({"to": "withdrawn", "reason": "r".repeat(1001)}),
            422,
            Some("reason"),
        ),
        json_case(
            "an unknown field in a transition",
            Method::POST,
            MOVE,
            json!({"to": "sent", "note": "x"}),
            400,
            Some("note"),
        ),
        json_case(
            "an unknown field in a revision",
            Method::POST,
            REVISE,
            json!({"complaints": "x"}),
            400,
            Some("complaints"),
        ),
        // ---- GET /api/v1/quotes
        get_case(
            "an unknown query parameter",
            "/api/v1/quotes?colour=blue",
            400,
            Some("colour"),
        ),
        get_case(
            "per_page 0",
            "/api/v1/quotes?per_page=0",
            422,
            Some("per_page"),
        ),
        get_case(
            "per_page 101",
            "/api/v1/quotes?per_page=101",
            422,
            Some("per_page"),
        ),
        get_case(
            "per_page not a number",
            "/api/v1/quotes?per_page=lots",
            400,
            Some("per_page"),
        ),
        get_case(
            "per_page negative",
            "/api/v1/quotes?per_page=-5",
            400,
            Some("per_page"),
        ),
        get_case("page 0", "/api/v1/quotes?page=0", 422, Some("page")),
        get_case(
            "a status that does not exist",
            "/api/v1/quotes?status=flying",
            400,
            Some("status"),
        ),
        get_case(
            "created_from not a date",
            "/api/v1/quotes?created_from=yesterday",
            400,
            Some("created_from"),
        ),
        get_case(
            "created_to not a date",
            "/api/v1/quotes?created_to=2026-13-01",
            400,
            Some("created_to"),
        ),
        // ---- GET /api/v1/catalog
        get_case(
            "a catalog date that is no date",
            "/api/v1/catalog?date=tomorrow",
            400,
            Some("date"),
        ),
        get_case(
            "a language the catalog lacks",
            "/api/v1/catalog?lang=fr",
            400,
            Some("lang"),
        ),
        get_case(
            "an unknown catalog parameter",
            "/api/v1/catalog?version=2024.1",
            400,
            Some("version"),
        ),
        get_case(
            "a date before any catalog",
            "/api/v1/catalog?date=2023-12-31",
            422,
            Some("date"),
        ),
        // ---- unknown routes and ids
        get_case("an unknown route", "/api/v1/offers", 404, None),
        get_case("an unknown version of the API", "/api/v2/quotes", 404, None),
        get_case(
            "an id that is no UUID",
            "/api/v1/quotes/OFF-2026-00001",
            404,
            None,
        ),
        get_case(
            "an unknown quote",
            "/api/v1/quotes/0190a8a4-0000-7000-8000-000000000000",
            404,
            None,
        ),
        json_case(
            "a transition of an unknown quote",
            Method::POST,
            "/api/v1/quotes/0190a8a4-0000-7000-8000-000000000000/transitions",
            json!({"to": "sent"}),
            404,
            None,
        ),
        raw_case(
            "a method the route does not have",
            Method::DELETE,
            ONE,
            "application/json",
            b"{}",
            405,
            None,
        ),
    ]
}

async fn every_bad_request_is_a_problem_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let draft = app
        .create_quote(&quote_body("Bakkerij De Korenschoof B.V."))
        .await;
    let id = draft["id"].as_str().unwrap().to_string();
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        if let Err(failure) = check(&app, case, &id).await {
            failures.push(format!(
                "{} {} ({}): {failure}",
                case.method, case.path, case.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad requests were not answered as expected:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Nothing above changed the draft.
    assert_eq!(app.quote(&id).await, draft);
}

async fn check(app: &TestApp, case: &Case, id: &str) -> Result<(), String> {
    let path = case.path.replace("{id}", id);
    let mut builder = app.request(case.method.clone(), &path, Some(&app.keys.sales));
    if let Some(content_type) = case.content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(body) = &case.body {
        builder = builder.body(body.clone());
    }
    let reply = send(builder).await;
    let status = reply.status;
    if status.is_server_error() {
        return Err(format!("a server error {status}: {}", reply.text));
    }
    if !status.is_client_error() {
        return Err(format!("not a 4xx but {status}: {}", reply.text));
    }
    if status != StatusCode::from_u16(case.status).unwrap() {
        return Err(format!(
            "expected {}, got {status}: {}",
            case.status, reply.text
        ));
    }
    let content_type = reply.header("content-type").unwrap_or_default();
    if !content_type.starts_with("application/problem+json") {
        return Err(format!("content-type {content_type:?}: {}", reply.text));
    }
    let problem: Value = serde_json::from_str(&reply.text)
        .map_err(|e| format!("the body is not JSON ({e}): {}", reply.text))?;
    if problem["status"] != case.status {
        return Err(format!("the body says status {}", problem["status"]));
    }
    if !problem["title"].is_string()
        || !problem["detail"].is_string()
        || !problem["type"].is_string()
    {
        return Err(format!("not a problem document: {problem}"));
    }
    if !problem["request_id"].is_string()
        || reply.header("x-request-id") != problem["request_id"].as_str()
    {
        return Err(format!("no request id matching the header: {problem}"));
    }
    if let Some(field) = case.field {
        let fields = problem_fields(&problem);
        if !fields.iter().any(|f| f == field) {
            return Err(format!(
                "the problem names {fields:?}, not `{field}`: {problem}"
            ));
        }
    }
    Ok(())
}

/// Text fields take any printable text: names with `<`, `{` and `#` are accepted and kept.
async fn names_with_markup_characters_are_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = with(
        with(
            with(
                quote_body("Bakkerij <De Korenschoof> {Utrecht} #1 & Zn."),
                "employer.contact_person",
                json!("J. <de> Vries {sr.} #2"),
            ),
            "employee.job_title",
            json!("{{ baker }} <b>#</b> ${x}"),
        ),
        "employee.reference",
        json!("<PV>#0412{}"),
    );
    let quote = app.create_quote(&body).await;
    let read = app.quote(quote["id"].as_str().unwrap()).await;
    for part in ["employer", "employee"] {
        assert_eq!(read[part], body[part], "{part}");
    }
    // 200 characters exactly is still fine.
    let quote = app
        .create_quote(&with(
            quote_body(&"N".repeat(200)),
            "employer.address.city",
            json!("é".repeat(200)),
        ))
        .await;
    assert_eq!(quote["employer"]["company_name"], "N".repeat(200));
}

on_both_backends!(
    every_bad_request_is_a_problem_naming_the_field,
    names_with_markup_characters_are_accepted,
);
