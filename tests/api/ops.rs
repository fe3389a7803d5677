use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let health = app.send(app.client.get(app.url("/healthz"))).await;
    assert_eq!(health.expect(StatusCode::OK)["status"], "ok");
    let ready = app
        .send(app.client.get(app.url("/readyz")))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ready["status"], "ready");

    app.signup("Ana").await;
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("http_requests_total") && text.contains("route=\"/api/auth/signup\""),
        "{text}"
    );
}

#[tokio::test]
async fn requests_carry_an_id() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc = app
        .send(app.client.get(app.url("/api/openapi.json")))
        .await
        .expect(StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes = [
        ("post", "/api/auth/signup"),
        ("post", "/api/auth/login"),
        ("post", "/api/auth/logout"),
        ("get", "/api/me"),
        ("post", "/api/capsules"),
        ("get", "/api/capsules"),
        ("get", "/api/capsules/{id}"),
        ("patch", "/api/capsules/{id}"),
        ("delete", "/api/capsules/{id}"),
        ("get", "/api/capsules/{id}/export"),
        ("post", "/api/capsules/{id}/duplicate"),
        ("get", "/api/capsules/{id}/sync"),
        ("post", "/api/assets"),
        ("get", "/api/assets/{id}"),
        ("post", "/api/quizzes"),
        ("post", "/api/quizzes/import"),
        ("get", "/api/quizzes"),
        ("get", "/api/quizzes/{id}"),
        ("patch", "/api/quizzes/{id}"),
        ("delete", "/api/quizzes/{id}"),
        ("post", "/api/rooms"),
        ("get", "/api/rooms"),
        ("get", "/api/rooms/{id}"),
        ("patch", "/api/rooms/{id}"),
        ("post", "/api/rooms/{id}/end"),
        ("get", "/api/join/{name}"),
        ("get", "/api/sessions"),
        ("delete", "/api/sessions/{room_id}"),
        ("get", "/api/sessions/{room_id}/events"),
        ("get", "/api/sessions/{room_id}/report"),
        ("get", "/api/live/{name}"),
        ("get", "/api/live/{name}/snapshot"),
        ("get", "/api/live/{name}/canvas"),
        ("get", "/api/live/{name}/canvas/drawing"),
        ("put", "/api/live/{name}/canvas/drawing/{participant_id}"),
        ("post", "/api/live/{name}/canvas/capsule"),
        ("get", "/api/openapi.json"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
    ];
    for (method, path) in routes {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is described"
        );
    }
    let described: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        described,
        routes.len(),
        "no route is described that does not exist"
    );
}
