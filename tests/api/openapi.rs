//! The OpenAPI document against the router: every routed operation is documented, and the
//! answers the shared extractors give are listed where they occur.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    openapi_document_lists_every_routed_operation,
    openapi_document_lists_the_error_answers,
    openapi_document_marks_required_fields_and_limits,
    openapi_document_describes_the_paged_lists,
);

/// Every `(method, path)` the API router serves, read from the `.route(...)` calls of
/// src/routes/api (the router cannot list its routes); the paths as the document writes them.
fn routed_operations() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/api");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for call in source.split(".route(").skip(1) {
            let call = &call[..closing_paren(call)];
            let path = call.split('"').nth(1).expect("a route path literal");
            if path == "/openapi.json" {
                continue;
            }
            for method in ["get", "post", "put", "patch", "delete"] {
                let called = call.match_indices(&format!("{method}(")).any(|(at, _)| {
                    at == 0
                        || !call.as_bytes()[at - 1].is_ascii_alphanumeric()
                            && call.as_bytes()[at - 1] != b'_'
                });
                if called {
                    routes.insert((method.to_string(), format!("/api{path}")));
                }
            }
        }
    }
    routes
}

/// Where the argument list that `text` starts inside of ends.
fn closing_paren(text: &str) -> usize {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced .route( call")
}

/// `path` with made-up ids in place of its parameters.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| match part {
            "{message}" => "1",
            "{token}" => "no-such-token",
            p if p.starts_with('{') => "00000000-0000-4000-8000-000000000000",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert((method.clone(), path.clone()));
        }
    }
    operations
}

async fn openapi_document_lists_every_routed_operation(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = json_of(app.get("/api/openapi.json").await, StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routed = routed_operations();
    let paths: BTreeSet<_> = routed.iter().map(|(_, path)| path).collect();
    assert!(paths.len() >= 18, "the route scan found only {paths:?}");
    // The scan reads the real router: each operation it found is served (no 405, and not
    // the API's fallback for unknown paths).
    for (method, path) in &routed {
        let url = concrete(path);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.url(&url))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
        assert!(
            !body.contains("no such API route"),
            "{method} {url} is not routed"
        );
    }
    let documented = documented_operations(&doc);
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in the OpenAPI document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "in the OpenAPI document but not routed: {unrouted:?}"
    );
    assert!(
        doc["components"]["schemas"]["RegistrationView"]["properties"]["manage_url"].is_object()
    );
}

fn error_answer<'a>(operation: &'a Value, status: &str) -> Option<&'a Value> {
    let schema = &operation["responses"][status]["content"]["application/json"]["schema"];
    (schema["$ref"] == "#/components/schemas/ErrorBody").then_some(schema)
}

async fn openapi_document_lists_the_error_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = json_of(app.get("/api/openapi.json").await, StatusCode::OK).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let security = operation["security"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !security.is_empty() {
                assert!(error_answer(operation, "401").is_some(), "{name}: no 401");
            }
            // What the document says of the token is what the server does without one.
            let needs_token = !security.is_empty() && !security.contains(&serde_json::json!({}));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method, app.url(&concrete(path)))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status() == StatusCode::UNAUTHORIZED,
                needs_token,
                "{name} without a token"
            );
            if path.contains('{') {
                assert!(error_answer(operation, "404").is_some(), "{name}: no 404");
            }
            let content = &operation["requestBody"]["content"];
            if content.is_object() {
                for status in ["400", "413"] {
                    assert!(
                        error_answer(operation, status).is_some(),
                        "{name}: no {status}"
                    );
                }
            }
            if content["application/json"].is_object() {
                assert!(error_answer(operation, "415").is_some(), "{name}: no 415");
            }
            if content["application/json"]["schema"]["$ref"].is_string() {
                assert!(error_answer(operation, "422").is_some(), "{name}: no 422");
            }
        }
    }
}

async fn openapi_document_marks_required_fields_and_limits(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = json_of(app.get("/api/openapi.json").await, StatusCode::OK).await;
    let schemas = &doc["components"]["schemas"];
    let create = &doc["paths"]["/api/v1/webinars"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(create["$ref"], "#/components/schemas/NewWebinar");
    let new_webinar = schemas["NewWebinar"]["allOf"][1].clone();
    assert_eq!(new_webinar["required"], serde_json::json!(["title"]));
    assert_eq!(new_webinar["properties"]["title"]["type"], "string");
    let required = |schema: &str| {
        schemas[schema]["required"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    for (schema, field) in [
        ("CreateSession", "label"),
        ("CreateSession", "starts_at"),
        ("CreateSession", "duration_minutes"),
        ("RegisterInput", "name"),
        ("RegisterInput", "email"),
        ("RegisterInput", "time_zone"),
        ("ChairInput", "email"),
        ("MaterialJson", "title"),
        ("MarkInput", "attended"),
    ] {
        assert!(
            required(schema).contains(&Value::from(field)),
            "{schema}.{field} is not required"
        );
    }
    assert_eq!(
        schemas["CreateSession"]["properties"]["duration_minutes"]["type"],
        "integer"
    );
    assert_eq!(
        schemas["CreateSession"]["properties"]["duration_minutes"]["maximum"],
        1440
    );
    assert_eq!(
        schemas["MarkInput"]["properties"]["minutes"]["maximum"],
        1440
    );
    let import = &doc["paths"]["/api/v1/webinars/{id}/attendance"]["post"];
    let session_id = import["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "session_id")
        .unwrap();
    assert_eq!(session_id["in"], "query");
    assert_eq!(session_id["required"], true);
    // The limits are the server's: one minute over is refused, the maximum is taken.
    let w = app.model_webinar(None, None).await;
    let (registration, _) = app
        .register_ok(&w.id, &serde_json::json!({"name": "Ada Lovelace", "email": "ada@example.org", "time_zone": "Europe/Zurich"}))
        .await;
    let path = format!(
        "/api/v1/webinars/{}/registrations/{}/attendance",
        w.id,
        registration["id"].as_str().unwrap()
    );
    let over = serde_json::json!({"attended": true, "minutes": 1441});
    let refused = app.organizer(Method::PUT, &path, Some(&over)).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "at most 1440").await;
    let most = serde_json::json!({"attended": true, "minutes": 1440});
    json_of(
        app.organizer(Method::PUT, &path, Some(&most)).await,
        StatusCode::OK,
    )
    .await;
}

/// The paged lists document `limit` (1 to 200) and `cursor`, and the `Link` header of
/// their 200 answer.
async fn openapi_document_describes_the_paged_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = json_of(app.get("/api/openapi.json").await, StatusCode::OK).await;
    for list in [
        "invitees",
        "registrations",
        "outbox",
        "sessions/{session_id}/chairs",
    ] {
        let operation = &doc["paths"][format!("/api/v1/webinars/{{id}}/{list}")]["get"];
        let parameter = |name: &str| {
            operation["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{list}: no {name} parameter"))
                .clone()
        };
        let limit = parameter("limit");
        assert_eq!(limit["in"], "query", "{list}");
        assert_eq!(limit["required"], false, "{list}");
        assert_eq!(limit["schema"]["type"], "integer", "{list}: {limit}");
        assert_eq!(limit["schema"]["minimum"], 1, "{list}");
        assert_eq!(limit["schema"]["maximum"], 200, "{list}");
        let cursor = parameter("cursor");
        assert_eq!(cursor["in"], "query", "{list}");
        assert_eq!(cursor["required"], false, "{list}");
        let link = &operation["responses"]["200"]["headers"]["Link"];
        assert!(
            link["description"]
                .as_str()
                .unwrap()
                .contains("rel=\"next\""),
            "{list}: {link}"
        );
        assert!(
            operation["responses"]["400"].is_object(),
            "{list}: a bad limit or cursor answers 400"
        );
    }
}
