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
        ("post", "/api/auth/logout-all"),
        ("post", "/api/auth/password"),
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

#[tokio::test]
async fn invented_methods_are_refused_and_never_become_metric_series() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    // The attack: requests pipelined on one unauthenticated connection, each with a method of
    // its own (hyper takes any token as a method).
    let mut socket = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut requests = String::new();
    for n in 0..2_000 {
        requests += &format!("INVENTED{n} /api/me HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    requests += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    socket.write_all(requests.as_bytes()).await.unwrap();
    let mut answers = String::new();
    socket.read_to_string(&mut answers).await.unwrap();
    assert_eq!(answers.matches("HTTP/1.1 501").count(), 2_000);
    assert!(answers.contains("method_not_allowed"));

    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(!text.contains("INVENTED"), "no series per invented method");
    assert!(
        text.contains("http_requests_unknown_method_total 2000"),
        "{text}"
    );
    assert!(text.len() < 64 * 1024, "{} bytes of metrics", text.len());
}

#[tokio::test]
async fn the_metrics_may_be_kept_for_the_operators_token() {
    let app = crate::helpers::spawn_app_with(|c| c.metrics_token = Some("s3cret".into())).await;
    let anonymous = app.send(app.client.get(app.url("/metrics"))).await;
    anonymous.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let wrong = app
        .send(app.client.get(app.url("/metrics")).bearer_auth("guess"))
        .await;
    wrong.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let operator = app.client.get(app.url("/metrics")).bearer_auth("s3cret");
    let operator = operator.send().await.unwrap();
    assert_eq!(operator.status(), StatusCode::OK);
    assert!(
        operator
            .text()
            .await
            .unwrap()
            .contains("http_requests_total")
    );
}
