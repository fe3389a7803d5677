//! The log-in cookie from other origins: a page on another port or a sibling subdomain (same
//! site, so `SameSite=Lax` lets the cookie through) must not act as the trainer, over HTTP or
//! over a WebSocket; the cookie's name and attributes over HTTPS; two cookies of that name.

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, http::HeaderName};

use crate::helpers::{Answer, TestApp, spawn_app, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom};

const GIFT: &str = "::Planted:: 2 + 2 = {=4 ~5}";

fn with(mut request: RequestBuilder, headers: &[(&str, &str)]) -> RequestBuilder {
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
}

async fn import_gift(app: &TestApp, headers: &[(&str, &str)]) -> Answer {
    let request = app
        .client
        .post(app.url("/api/quizzes/import?format=gift&title=Planted"))
        .header("content-type", "text/plain")
        .body(GIFT);
    app.send(with(request, headers)).await
}

async fn end_room(app: &TestApp, room: &LiveRoom, headers: &[(&str, &str)]) -> Answer {
    let request = app
        .client
        .post(app.url(&format!("/api/rooms/{}/end", room.id)));
    app.send(with(request, headers)).await
}

async fn quiz_titles(app: &TestApp, token: &str) -> Vec<String> {
    let quizzes = app.get("/api/quizzes", token).await.expect(StatusCode::OK);
    let titles = quizzes.as_array().unwrap().iter();
    titles
        .map(|q| q["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The status of a WebSocket upgrade of `path` with `headers` (101 when it is accepted).
async fn upgrade(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = format!("ws://{}{path}", app.addr)
        .into_client_request()
        .unwrap();
    for (name, value) in headers {
        let name: HeaderName = name.parse().unwrap();
        request.headers_mut().append(name, value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("{path}: no HTTP answer: {e}"),
    }
}

#[tokio::test]
async fn writes_with_the_cookie_from_another_origin_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let cookie = format!("pratico_token={}", room.token);
    let other_port = format!("http://127.0.0.1:{}", app.addr.port().wrapping_add(1));
    let sibling = "http://evil.localhost";
    let foreign: [&[(&str, &str)]; 4] = [
        &[("cookie", &cookie), ("origin", &other_port)],
        &[("cookie", &cookie), ("sec-fetch-site", "same-site")],
        // What a browser sends from a sibling subdomain.
        &[
            ("cookie", &cookie),
            ("origin", sibling),
            ("sec-fetch-site", "same-site"),
        ],
        &[("cookie", &cookie), ("origin", "null")],
    ];
    let before = quiz_titles(&app, &room.token).await;
    for headers in foreign {
        import_gift(&app, headers)
            .await
            .expect_error(StatusCode::FORBIDDEN, "cross_origin");
        end_room(&app, &room, headers)
            .await
            .expect_error(StatusCode::FORBIDDEN, "cross_origin");
    }
    assert_eq!(
        quiz_titles(&app, &room.token).await,
        before,
        "nothing imported"
    );
    let live = app
        .get(&format!("/api/rooms/{}", room.id), &room.token)
        .await;
    live.expect(StatusCode::OK);

    // From the server's own pages, and from clients that are no browser, the cookie works.
    let own = format!("http://{}", app.addr);
    let own_page = [
        ("cookie", cookie.as_str()),
        ("origin", &own),
        ("sec-fetch-site", "same-origin"),
    ];
    import_gift(&app, &own_page)
        .await
        .expect(StatusCode::CREATED);
    import_gift(&app, &[("cookie", &cookie)])
        .await
        .expect(StatusCode::CREATED);
    // A bearer token is never sent by a browser on its own: any origin may use it.
    let bearer = format!("Bearer {}", room.token);
    let foreign_bearer = [
        ("authorization", bearer.as_str()),
        ("origin", &other_port),
        ("sec-fetch-site", "cross-site"),
    ];
    end_room(&app, &room, &foreign_bearer)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn websockets_with_the_cookie_from_another_origin_are_refused() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let cookie = format!("pratico_token={}", room.token);
    let other_port = format!("http://127.0.0.1:{}", app.addr.port().wrapping_add(1));
    let paths = [
        format!("/api/live/{}", room.name),
        format!("/api/live/{}/canvas?sessionId=s1", room.name),
        format!("/api/capsules/{}/sync?sessionId=s1", room.capsule_id),
    ];
    let foreign: [&[(&str, &str)]; 2] = [
        &[("cookie", &cookie), ("origin", &other_port)],
        &[("cookie", &cookie), ("sec-fetch-site", "same-site")],
    ];
    for path in &paths {
        for headers in foreign {
            assert_eq!(
                upgrade(&app, path, headers).await,
                403,
                "{path} {headers:?}"
            );
        }
    }

    // Refused at the upgrade: no socket, so nobody joined as the trainer. The same upgrade
    // from the room's own page is the trainer's.
    let own = format!("http://{}", app.addr);
    let own_page = [("cookie", cookie.as_str()), ("origin", &own)];
    let mut trainer = LiveClient::connect_with_headers(&app, &room.name, &own_page)
        .await
        .expect("the room's own page connects");
    let welcome = trainer.join(json!({"type": "join", "as": "trainer"})).await;
    assert_eq!(welcome["you"]["role"], "trainer");
    trainer.command(json!({"type": "lock"})).await;
    for path in &paths[1..] {
        assert_eq!(upgrade(&app, path, &own_page).await, 101, "{path}");
    }
}

#[tokio::test]
async fn two_log_in_cookies_are_refused_rather_than_one_picked() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let other = app.signup("Planted").await;
    let both = format!("pratico_token={other}; pratico_token={token}");
    let me = app.send(with(
        app.client.get(app.url("/api/me")),
        &[("cookie", &both)],
    ));
    me.await
        .expect_error(StatusCode::UNAUTHORIZED, "duplicate_cookie");
    // In two headers, or twice the same value, alike.
    let first = format!("pratico_token={token}");
    let twice = [("cookie", first.as_str()), ("cookie", first.as_str())];
    let me = app.send(with(app.client.get(app.url("/api/me")), &twice));
    me.await
        .expect_error(StatusCode::UNAUTHORIZED, "duplicate_cookie");
    let one = app.send(with(
        app.client.get(app.url("/api/me")),
        &[("cookie", &first)],
    ));
    one.await.expect(StatusCode::OK);
}

#[tokio::test]
async fn over_https_the_cookie_is_a_host_cookie_and_the_public_url_is_the_origin() {
    let app = spawn_app_with(|c| c.public_url = Some("https://live.example.org/".into())).await;
    let body = json!({"email": "s@example.org", "password": "correct horse", "name": "S"});
    let response = app
        .client
        .post(app.url("/api/auth/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.starts_with(&format!("__Host-pratico_token={token};")),
        "{set_cookie}"
    );
    let attributes: Vec<&str> = set_cookie.split("; ").skip(1).collect();
    for wanted in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(attributes.contains(&wanted), "{set_cookie}");
    }
    assert!(
        !set_cookie.to_lowercase().contains("domain"),
        "{set_cookie}"
    );

    let host_cookie = format!("__Host-pratico_token={token}");
    let me = with(
        app.client.get(app.url("/api/me")),
        &[("cookie", &host_cookie)],
    );
    app.send(me).await.expect(StatusCode::OK);
    // The plain name, which a sibling subdomain could set, opens nothing here.
    let plain = format!("pratico_token={token}");
    let me = with(app.client.get(app.url("/api/me")), &[("cookie", &plain)]);
    app.send(me)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // The public URL's origin is the server's, whatever `Host` the proxy passed on.
    let public = [
        ("cookie", host_cookie.as_str()),
        ("origin", "https://live.example.org"),
    ];
    import_gift(&app, &public).await.expect(StatusCode::CREATED);
    let direct = format!("http://{}", app.addr);
    let direct = [("cookie", host_cookie.as_str()), ("origin", &direct)];
    import_gift(&app, &direct)
        .await
        .expect_error(StatusCode::FORBIDDEN, "cross_origin");

    let out = app.client.post(app.url("/api/auth/logout"));
    let response = with(out, &public).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("__Host-pratico_token=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}
