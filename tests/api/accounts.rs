use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn signup_login_me_logout() {
    let app = spawn_app().await;
    let body = json!({"email": "  Ana.Martin@Example.ORG ", "password": "correct horse", "name": " Ana Martin "});
    let signed = app
        .send(
            app.request(Method::POST, "/api/auth/signup", None)
                .json(&body),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(signed["user"]["email"], "ana.martin@example.org");
    assert_eq!(signed["user"]["name"], "Ana Martin");
    assert!(signed["user"].get("password_hash").is_none());
    let token = signed["token"].as_str().unwrap();

    let me = app.get("/api/me", token).await.expect(StatusCode::OK);
    assert_eq!(me["id"], signed["user"]["id"]);
    assert_eq!(me["email"], "ana.martin@example.org");

    let login = json!({"email": "ANA.MARTIN@example.org", "password": "correct horse"});
    let logged = app
        .send(
            app.request(Method::POST, "/api/auth/login", None)
                .json(&login),
        )
        .await
        .expect(StatusCode::OK);
    let second = logged["token"].as_str().unwrap();
    assert_ne!(second, token, "each log-in gets its own token");

    let out = app
        .send(app.request(Method::POST, "/api/auth/logout", Some(token)))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    app.get("/api/me", token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    app.get("/api/me", second).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn the_cookie_works_like_the_bearer_token() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let body =
        json!({"email": "cookie@example.org", "password": "correct horse", "name": "Cookie"});
    let response = client
        .post(app.url("/api/auth/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("pratico_token="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let me = client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_email_has_one_account_whatever_its_case() {
    let app = spawn_app().await;
    let first = json!({"email": "zoe@example.org", "password": "correct horse", "name": "Zoé"});
    app.send(
        app.request(Method::POST, "/api/auth/signup", None)
            .json(&first),
    )
    .await
    .expect(StatusCode::CREATED);
    let again = json!({"email": "ZOE@example.org ", "password": "another one", "name": "Zoé"});
    app.send(
        app.request(Method::POST, "/api/auth/signup", None)
            .json(&again),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "email_taken");
}

#[tokio::test]
async fn bad_sign_ups_name_their_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": "nope", "password": "correct horse", "name": "A"}),
            "email",
        ),
        (
            json!({"email": "a@example.org", "password": "short", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.org", "password": "correct horse", "name": "  "}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let answer = app
            .send(
                app.request(Method::POST, "/api/auth/signup", None)
                    .json(&body),
            )
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(answer.body["error"]["field"], field);
    }
    let missing = json!({"email": "a@example.org", "name": "A"});
    let answer = app
        .send(
            app.request(Method::POST, "/api/auth/signup", None)
                .json(&missing),
        )
        .await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password")
    );
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike() {
    let app = spawn_app().await;
    app.signup("Someone").await;
    let unknown = json!({"email": "nobody@example.org", "password": "correct horse"});
    let answer = app
        .send(
            app.request(Method::POST, "/api/auth/login", None)
                .json(&unknown),
        )
        .await;
    answer.expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    let body = json!({"email": "known@example.org", "password": "correct horse", "name": "K"});
    app.send(
        app.request(Method::POST, "/api/auth/signup", None)
            .json(&body),
    )
    .await;
    let wrong = json!({"email": "known@example.org", "password": "wrong horse"});
    let answer = app
        .send(
            app.request(Method::POST, "/api/auth/login", None)
                .json(&wrong),
        )
        .await;
    answer.expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn tokens_expire() {
    let app = crate::helpers::spawn_app_with(|c| c.token_ttl_days = 0).await;
    let token = app.signup("Short-lived").await;
    app.get("/api/me", &token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn garbage_tokens_are_unauthorized() {
    let app = spawn_app().await;
    for token in ["", "x", "not-a-token-at-all", &"a".repeat(5000)] {
        app.get("/api/me", token)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let basic = app
        .send(
            app.client
                .get(app.url("/api/me"))
                .header("authorization", "Basic abc"),
        )
        .await;
    basic.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_new_account_starts_with_a_sample_capsule_and_quiz_in_its_language() {
    let app = spawn_app().await;
    let cases = [
        (
            "fr@example.org",
            None,
            "Initiation à la programmation",
            "Que vaut 2 + 3 × 4 ?",
        ),
        (
            "en@example.org",
            Some("en"),
            "Introduction to programming",
            "What is 2 + 3 × 4?",
        ),
    ];
    for (email, language, capsule_title, first_prompt) in cases {
        let mut body = json!({"email": email, "password": "correct horse", "name": "Ana"});
        if let Some(language) = language {
            body["language"] = json!(language);
        }
        let signed = app
            .send(
                app.request(Method::POST, "/api/auth/signup", None)
                    .json(&body),
            )
            .await
            .expect(StatusCode::CREATED);
        let token = signed["token"].as_str().unwrap();

        let capsules = app.get("/api/capsules", token).await.expect(StatusCode::OK);
        assert_eq!(capsules.as_array().unwrap().len(), 1);
        assert_eq!(capsules[0]["title"], capsule_title);
        assert_eq!(capsules[0]["pages"].as_array().unwrap().len(), 5);

        let quizzes = app.get("/api/quizzes", token).await.expect(StatusCode::OK);
        assert_eq!(quizzes.as_array().unwrap().len(), 1);
        let quiz = &quizzes[0];
        assert_eq!(quiz["capsule_id"], capsules[0]["id"]);
        assert_eq!(quiz["questions"][0]["prompt"], first_prompt);
        let kinds: Vec<&str> = quiz["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["single", "multiple", "true_false", "poll", "open"]);

        let room = app.launch(token, capsules[0]["id"].as_str().unwrap()).await;
        assert!(
            room["link"].as_str().unwrap().contains("/r/"),
            "it can be launched at once"
        );
    }
}

#[tokio::test]
async fn an_unknown_sample_language_is_refused() {
    let app = spawn_app().await;
    let body = json!({"email": "de@example.org", "password": "correct horse", "name": "Ana", "language": "de"});
    let answer = app
        .send(
            app.request(Method::POST, "/api/auth/signup", None)
                .json(&body),
        )
        .await;
    assert!(answer.status.is_client_error(), "{:?}", answer.status);
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_browsers_are_told_to_stay_on_https() {
    let signup = |app: &crate::helpers::TestApp| {
        let body = json!({"email": "s@example.org", "password": "correct horse", "name": "S"});
        app.client
            .post(app.url("/api/auth/signup"))
            .json(&body)
            .send()
    };
    let https = |c: &mut pratico::config::Config| {
        c.public_url = Some("https://live.example.org".into());
    };
    let app = crate::helpers::spawn_app_with(https).await;
    let response = signup(&app).await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    // Personal answers stay out of caches.
    assert_eq!(response.headers()["cache-control"], "no-store");

    // An operator may still turn Secure off (a proxy that speaks HTTP to browsers on a LAN).
    let app = crate::helpers::spawn_app_with(|c| {
        https(c);
        c.secure_cookies = Some(false);
    })
    .await;
    let response = signup(&app).await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");

    // Over plain HTTP, neither.
    let app = spawn_app().await;
    let response = signup(&app).await.unwrap();
    assert!(
        !response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    assert!(!response.headers().contains_key("strict-transport-security"));
}
