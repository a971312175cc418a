//! The OpenAPI document stays true to the mounted routes.

use std::collections::BTreeSet;

use serde_json::Value;

use super::json_of;
use crate::helpers::{Reply, TestApp};

/// `/api/v1/sessions/<id>` → `/api/v1/sessions/{id}`.
fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .split('/')
        .map(
            |segment| match segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn the_document_is_served_as_json() {
    let app = TestApp::spawn();

    let reply = Reply::from(app.client.get("/api/v1/openapi.json").dispatch());

    assert_eq!(reply.status.code, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let doc = json_of(&reply);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(reply.body, portcullis::api::OPENAPI);
}

#[test]
fn every_mounted_api_route_is_documented_and_nothing_else() {
    let app = TestApp::spawn();
    let doc: Value = serde_json::from_str(portcullis::api::OPENAPI).unwrap();
    let base = doc["servers"][0]["url"].as_str().unwrap();
    assert_eq!(base, "/api/v1");

    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|r| r.uri.path().starts_with("/api/v1/"))
        .map(|r| {
            let path = openapi_path(r.uri.path());
            let relative = path.strip_prefix(base).unwrap().to_owned();
            (r.method.as_str().to_lowercase(), relative)
        })
        .collect();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "put", "post", "delete", "patch"].contains(&k.as_str()))
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();

    assert_eq!(mounted.len(), 17, "{mounted:?}");
    assert_eq!(mounted, documented);
}
